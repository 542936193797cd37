CREATE TABLE `insight_experiment_changes` (
	`tenant_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`experiment_id` text NOT NULL,
	`strategy` text NOT NULL,
	`action` text NOT NULL,
	`variant` text,
	`by` text NOT NULL,
	`at` text NOT NULL,
	`detail` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `insight_experiment_changes_by_experiment` ON `insight_experiment_changes` (`tenant_id`,`experiment_id`,`at`);--> statement-breakpoint
CREATE TABLE `insight_experiments` (
	`tenant_id` text NOT NULL,
	`strategy` text NOT NULL,
	`id` text NOT NULL,
	`arms` text NOT NULL,
	`status` text NOT NULL,
	`promoted` text,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer NOT NULL,
	`last_change_key` text,
	PRIMARY KEY(`tenant_id`, `strategy`)
);
--> statement-breakpoint
CREATE INDEX `insight_experiments_by_status` ON `insight_experiments` (`tenant_id`,`status`);--> statement-breakpoint
ALTER TABLE `insight_feedback` ADD `experiment_id` text;--> statement-breakpoint
ALTER TABLE `insight_feedback` ADD `variant` text;--> statement-breakpoint
CREATE INDEX `insight_feedback_by_experiment` ON `insight_feedback` (`tenant_id`,`experiment_id`,`variant`);--> statement-breakpoint
ALTER TABLE `insights` ADD `variants` text;