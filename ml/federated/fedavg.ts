// FedAvg (McMahan et al. 2017): the next global parameters are the current ones plus the
// mean of the regions' updates weighted by how many examples each trained on. Accumulated
// in Float64 and in a fixed order (by region name), so the same updates give the same bits
// wherever the aggregator runs.

export type WeightedUpdate = {
  readonly region: string;
  readonly n: number;
  readonly delta: Float32Array;
};

export function fedAvg(
  global: Float32Array,
  updates: readonly WeightedUpdate[],
  serverLearningRate = 1,
): Float32Array {
  if (updates.length === 0) throw new Error("FedAvg needs at least one update");
  const total = updates.reduce((s, u) => s + u.n, 0);
  const sum = new Float64Array(global.length);
  for (const u of [...updates].sort((a, b) => (a.region < b.region ? -1 : 1))) {
    if (!(u.n > 0) || !Number.isInteger(u.n))
      throw new Error(`${u.region}: n must be a positive integer`);
    if (u.delta.length !== global.length)
      throw new Error(`${u.region}: update has the wrong length`);
    const weight = u.n / total;
    for (let i = 0; i < sum.length; i++) sum[i]! += weight * u.delta[i]!;
  }
  const next = new Float32Array(global.length);
  for (let i = 0; i < next.length; i++) next[i] = global[i]! + serverLearningRate * sum[i]!;
  return next;
}
