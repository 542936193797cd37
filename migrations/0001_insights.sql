CREATE TABLE `insight_feedback` (
	`tenant_id` text NOT NULL,
	`insight_id` text NOT NULL,
	`strategy` text NOT NULL,
	`adopted` integer NOT NULL,
	`answered_by` text NOT NULL,
	`answered_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `insight_id`, `strategy`)
);
--> statement-breakpoint
CREATE INDEX `insight_feedback_by_strategy` ON `insight_feedback` (`tenant_id`,`strategy`);--> statement-breakpoint
CREATE TABLE `insights` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`customer_id` text,
	`industry` text,
	`strategies` text NOT NULL,
	`model_version` text,
	`rules_fingerprint` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `insights_by_created` ON `insights` (`tenant_id`,`created_at`);