CREATE TABLE `checkout_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_session_id` text,
	`mode` text NOT NULL,
	`plan` text,
	`line_items` text,
	`amount_total` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`url` text,
	`success_url` text NOT NULL,
	`cancel_url` text NOT NULL,
	`payment_id` text,
	`subscription_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkout_sessions_provider_id_unique` ON `checkout_sessions` (`provider`,`provider_session_id`);--> statement-breakpoint
CREATE INDEX `checkout_sessions_user_created_idx` ON `checkout_sessions` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `disputes` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_dispute_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`fee` integer DEFAULT 0 NOT NULL,
	`evidence_due_by` text,
	`provider_updated_at` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text,
	FOREIGN KEY (`payment_id`) REFERENCES `payment_intents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_provider_id_unique` ON `disputes` (`provider`,`provider_dispute_id`);--> statement-breakpoint
CREATE INDEX `disputes_created_idx` ON `disputes` (`created_at`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`subscription_id` text,
	`provider` text NOT NULL,
	`provider_invoice_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_due` integer NOT NULL,
	`amount_paid` integer DEFAULT 0 NOT NULL,
	`currency` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_payment_attempt` text,
	`hosted_invoice_url` text,
	`payment_id` text,
	`period_start` text,
	`period_end` text,
	`provider_updated_at` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_provider_id_unique` ON `invoices` (`provider`,`provider_invoice_id`);--> statement-breakpoint
CREATE INDEX `invoices_user_created_idx` ON `invoices` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`status` text NOT NULL,
	`since` text NOT NULL,
	`events_checked` integer DEFAULT 0 NOT NULL,
	`events_repaired` integer DEFAULT 0 NOT NULL,
	`mismatches` text DEFAULT '[]' NOT NULL,
	`error` text,
	`started_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `reconciliation_runs_started_idx` ON `reconciliation_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_subscription_id` text,
	`plan` text NOT NULL,
	`status` text NOT NULL,
	`current_period_end` text,
	`cancel_at_period_end` integer DEFAULT false NOT NULL,
	`grace_until` text,
	`provider_updated_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_provider_id_unique` ON `subscriptions` (`provider`,`provider_subscription_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_one_live_per_user` ON `subscriptions` (`user_id`) WHERE "subscriptions"."status" NOT IN ('canceled', 'incomplete_expired');--> statement-breakpoint
CREATE INDEX `subscriptions_status_grace_idx` ON `subscriptions` (`status`,`grace_until`);