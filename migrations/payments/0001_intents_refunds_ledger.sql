CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`transaction_id` text NOT NULL,
	`account` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`transaction_id`) REFERENCES `ledger_transactions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_entries_transaction_idx` ON `ledger_entries` (`transaction_id`);--> statement-breakpoint
CREATE INDEX `ledger_entries_account_idx` ON `ledger_entries` (`account`);--> statement-breakpoint
CREATE TABLE `ledger_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`source_key` text NOT NULL,
	`payment_id` text,
	`refund_id` text,
	`currency` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transactions_source_key_unique` ON `ledger_transactions` (`source_key`);--> statement-breakpoint
CREATE INDEX `ledger_transactions_created_idx` ON `ledger_transactions` (`created_at`);--> statement-breakpoint
CREATE TABLE `payment_intents` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_intent_id` text,
	`status` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`description` text,
	`metadata` text,
	`capture_method` text NOT NULL,
	`amount_captured` integer DEFAULT 0 NOT NULL,
	`amount_refunded` integer DEFAULT 0 NOT NULL,
	`client_secret` text,
	`approval_url` text,
	`last_error` text,
	`provider_updated_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text,
	CONSTRAINT "payment_intents_refund_bound" CHECK("payment_intents"."amount_refunded" >= 0 AND "payment_intents"."amount_refunded" <= "payment_intents"."amount_captured"),
	CONSTRAINT "payment_intents_capture_bound" CHECK("payment_intents"."amount_captured" >= 0 AND "payment_intents"."amount_captured" <= "payment_intents"."amount"),
	CONSTRAINT "payment_intents_amount_positive" CHECK("payment_intents"."amount" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_intents_provider_id_unique` ON `payment_intents` (`provider`,`provider_intent_id`);--> statement-breakpoint
CREATE INDEX `payment_intents_user_created_idx` ON `payment_intents` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payment_intents_created_idx` ON `payment_intents` (`created_at`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`user_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text,
	`status` text NOT NULL,
	`provider_refund_id` text,
	`failure_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`payment_id`) REFERENCES `payment_intents`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "refunds_amount_positive" CHECK("refunds"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `refunds_payment_idx` ON `refunds` (`payment_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `refunds_provider_id_unique` ON `refunds` (`provider_refund_id`);--> statement-breakpoint
ALTER TABLE `provider_events` ADD `provider` text;--> statement-breakpoint
ALTER TABLE `provider_events` ADD `payload` text;--> statement-breakpoint
ALTER TABLE `provider_events` ADD `status` text;--> statement-breakpoint
ALTER TABLE `provider_events` ADD `error` text;