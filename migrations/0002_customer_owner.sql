ALTER TABLE `customers` ADD `owner_id` text;--> statement-breakpoint
CREATE INDEX `customers_by_owner` ON `customers` (`tenant_id`,`owner_id`,`name`,`id`);