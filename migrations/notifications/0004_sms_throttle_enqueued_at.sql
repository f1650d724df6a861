CREATE TABLE `sms_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`sent_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `deliveries` ADD `enqueued_at` text;