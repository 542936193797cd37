CREATE TABLE `change_requests` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`account_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`tier` text NOT NULL,
	`summary` text,
	`filed_by` text NOT NULL,
	`filed_at` text NOT NULL,
	`sla_warn_at` text NOT NULL,
	`sla_due_at` text NOT NULL,
	`sla_warned_at` text,
	`sla_violated_at` text,
	`answered_at` text,
	`feasible` integer,
	`new_committed_date` text,
	`responded_at` text,
	`updated_at` text NOT NULL,
	`version` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `change_requests_by_status` ON `change_requests` (`tenant_id`,`status`,`sla_due_at`,`id`);--> statement-breakpoint
CREATE INDEX `change_requests_by_account` ON `change_requests` (`tenant_id`,`account_id`,`sla_due_at`,`id`);--> statement-breakpoint
CREATE TABLE `delivery_milestones` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`contract_id` text NOT NULL,
	`milestone_id` text NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`destination` text NOT NULL,
	`quantity` integer,
	`planned_date` text NOT NULL,
	`committed_date` text,
	`actual_date` text,
	`supplier` text,
	`cost_minor` integer,
	`updated_at` text NOT NULL,
	`version` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `delivery_milestones_by_planned` ON `delivery_milestones` (`tenant_id`,`planned_date`,`id`);--> statement-breakpoint
CREATE INDEX `delivery_milestones_by_account` ON `delivery_milestones` (`tenant_id`,`account_id`,`planned_date`,`id`);