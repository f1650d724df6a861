CREATE TABLE `inbox_items` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`template` text NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`read_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_items_delivery_id_unique` ON `inbox_items` (`delivery_id`);--> statement-breakpoint
CREATE INDEX `inbox_items_user_idx` ON `inbox_items` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`user_id` text PRIMARY KEY NOT NULL,
	`phone` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `preferences` (
	`user_id` text NOT NULL,
	`category` text NOT NULL,
	`channel` text NOT NULL,
	`enabled` integer NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`user_id`, `category`, `channel`)
);
--> statement-breakpoint
CREATE TABLE `push_targets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`address` text NOT NULL,
	`p256dh` text,
	`auth` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_targets_user_address_unique` ON `push_targets` (`user_id`,`address`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`locale` text NOT NULL,
	`version` integer NOT NULL,
	`channels` text NOT NULL,
	`category` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_key_locale_version_unique` ON `templates` (`key`,`locale`,`version`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `address` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `push_target_id` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `request_key` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `template_version` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `subject` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `body_text` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `body_html` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `headers` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_until` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `sent_at` text;--> statement-breakpoint
CREATE INDEX `deliveries_status_idx` ON `deliveries` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `deliveries_created_idx` ON `deliveries` (`created_at`);