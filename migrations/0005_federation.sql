CREATE TABLE `federation_decisions` (
	`tenant_id` text NOT NULL,
	`version` integer NOT NULL,
	`serve` integer NOT NULL,
	`reason` text NOT NULL,
	`holdout` integer NOT NULL,
	`candidate_macro_f1` real,
	`served_version` integer,
	`served_macro_f1` real,
	`decided_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `federation_decisions_served` ON `federation_decisions` (`tenant_id`,`serve`,`version`);--> statement-breakpoint
CREATE TABLE `federation_models` (
	`tenant_id` text NOT NULL,
	`version` integer NOT NULL,
	`parent` integer,
	`round` integer NOT NULL,
	`hash` text NOT NULL,
	`params` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `federation_participation` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`enabled` integer NOT NULL,
	`min_noise_multiplier` real NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `federation_rounds` (
	`tenant_id` text NOT NULL,
	`round` integer NOT NULL,
	`status` text NOT NULL,
	`base_version` integer NOT NULL,
	`version` integer,
	`started_at` text NOT NULL,
	`finished_at` text,
	`summary` text,
	PRIMARY KEY(`tenant_id`, `round`)
);
--> statement-breakpoint
CREATE TABLE `labelled_utterances` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`lang` text NOT NULL,
	`industry` text,
	`speaker` text,
	`text` text NOT NULL,
	`label` text NOT NULL,
	`use` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `labelled_utterances_by_use` ON `labelled_utterances` (`tenant_id`,`use`,`id`);