CREATE TABLE `schedule_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`schedule` text NOT NULL,
	`scheduled_time` text NOT NULL,
	`job_id` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`duration_ms` integer,
	`error` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedule_runs_tick_idx` ON `schedule_runs` (`schedule`,`scheduled_time`);--> statement-breakpoint
CREATE INDEX `schedule_runs_job_idx` ON `schedule_runs` (`job_id`);--> statement-breakpoint
ALTER TABLE `job_attempts` ADD `duration_ms` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `attempts_base` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `backoff_base_seconds` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `backoff_cap_seconds` integer DEFAULT 3600 NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `concurrency_key` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `concurrency_limit` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `lease_until` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `sent_at` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `result` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `finished_at` text;--> statement-breakpoint
CREATE INDEX `jobs_type_idx` ON `jobs` (`type`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_unsent_idx` ON `jobs` (`status`,`sent_at`);