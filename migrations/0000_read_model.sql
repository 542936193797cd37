CREATE TABLE `contracts` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`customer_id` text NOT NULL,
	`title` text NOT NULL,
	`amount_value` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`document_hash` text NOT NULL,
	`paid_value` integer NOT NULL,
	`signatures` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `contracts_by_customer` ON `contracts` (`tenant_id`,`customer_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`tax_id` text,
	`residency` text NOT NULL,
	`tier` text NOT NULL,
	`contacts` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `customers_by_name` ON `customers` (`tenant_id`,`name`,`id`);--> statement-breakpoint
CREATE TABLE `payments` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`contract_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`reference` text NOT NULL,
	`amount_value` integer NOT NULL,
	`currency` text NOT NULL,
	`received_at` text,
	`confirmed_at` text NOT NULL,
	`overpayment` integer NOT NULL,
	`version` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `payments_by_contract` ON `payments` (`tenant_id`,`contract_id`,`confirmed_at`,`id`);