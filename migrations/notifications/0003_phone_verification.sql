ALTER TABLE `phone_numbers` ADD `verified_at` text;--> statement-breakpoint
ALTER TABLE `phone_numbers` ADD `code_hash` text;--> statement-breakpoint
ALTER TABLE `phone_numbers` ADD `code_sent_at` text;--> statement-breakpoint
ALTER TABLE `phone_numbers` ADD `code_expires_at` text;--> statement-breakpoint
ALTER TABLE `phone_numbers` ADD `code_attempts` integer DEFAULT 0 NOT NULL;