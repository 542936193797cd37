// The SQL lexer must agree with SQLite on statement boundaries and parameter numbering, or
// the server would reject valid SQL or bind arguments to the wrong parameters.

import { describe, expect, test } from "vitest";
import { analyzeStatement, splitStatements } from "./sql-text.ts";

describe("splitStatements", () => {
  test("finds no statement in blanks, comments and bare semicolons", () => {
    expect(splitStatements("")).toEqual([]);
    expect(splitStatements("  -- only a comment\n /* and another */ ; ;")).toEqual([]);
  });

  test("splits on semicolons outside strings, identifiers and comments", () => {
    const sql = `SELECT 'a;b', "c;d", [e;f], \`g;h\` -- x;y
      ; /* ; */ INSERT INTO t VALUES ('it''s; fine');`;
    expect(splitStatements(sql)).toEqual([
      `SELECT 'a;b', "c;d", [e;f], \`g;h\` -- x;y
      ;`,
      "INSERT INTO t VALUES ('it''s; fine');",
    ]);
  });

  test("keeps a trigger body with inner semicolons as one statement", () => {
    const trigger =
      "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (1); DELETE FROM x; END;";
    expect(splitStatements(`${trigger} SELECT 1`)).toEqual([trigger, "SELECT 1"]);
  });

  test("treats a missing final semicolon and an unterminated string as the last statement", () => {
    expect(splitStatements("SELECT 1; SELECT 'open")).toEqual(["SELECT 1;", "SELECT 'open"]);
  });
});

describe("analyzeStatement", () => {
  test("classifies INSERT/REPLACE/UPDATE/DELETE, including behind WITH", () => {
    expect(analyzeStatement("insert or replace into t values (1)").kind).toBe("insert");
    expect(analyzeStatement("REPLACE INTO t VALUES (1)").kind).toBe("insert");
    expect(analyzeStatement("UPDATE t SET x = 1").kind).toBe("update");
    expect(analyzeStatement("/* c */ DELETE FROM t").kind).toBe("delete");
    const withInsert =
      "WITH a(x) AS (SELECT 1), b AS (DELETE FROM q) INSERT INTO t SELECT x FROM a";
    expect(analyzeStatement(withInsert).kind).toBe("insert");
    expect(analyzeStatement("WITH a AS (INSERT INTO z) SELECT 1").kind).toBe("select");
    expect(analyzeStatement("EXPLAIN INSERT INTO t VALUES (1)").kind).toBe("explain");
    expect(analyzeStatement("CREATE TABLE t(x)").kind).toBe("other");
  });

  test("numbers parameters as SQLite does", () => {
    expect(analyzeStatement("SELECT ?, ?, ?").paramNames).toEqual([null, null, null]);
    expect(analyzeStatement("SELECT ?2, ?").paramNames).toEqual([null, "?2", null]);
    expect(analyzeStatement("SELECT ?, ?1").paramNames).toEqual(["?1"]);
    const named = analyzeStatement("SELECT :a, @b, $c, :a, ?");
    expect(named.paramNames).toEqual([":a", "@b", "$c", null]);
    expect(named.paramCount).toBe(4);
  });

  test("ignores parameter look-alikes inside strings, identifiers, comments and names", () => {
    const info = analyzeStatement(`SELECT ':a', "?", [@b], a$b, 1e-5 -- :c
      /* ?1 */ FROM t WHERE x = :real`);
    expect(info.paramNames).toEqual([":real"]);
  });
});
