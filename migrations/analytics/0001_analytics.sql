-- `events` is recreated rather than altered: the shell's table held no rows, and SQLite cannot add NOT NULL columns.
CREATE TABLE `ingest_drops` (
	`date` text NOT NULL,
	`reason` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`date`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `platform_daily` (
	`date` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY(`metric`, `date`)
);
--> statement-breakpoint
CREATE TABLE `platform_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`user_id` text,
	`occurred_at` text NOT NULL,
	`date` text NOT NULL,
	`subject_id` text,
	`amount` integer,
	`currency` text,
	`bytes` integer,
	`data` text NOT NULL,
	`received_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `platform_events_type_date_idx` ON `platform_events` (`type`,`date`);--> statement-breakpoint
CREATE INDEX `platform_events_user_idx` ON `platform_events` (`user_id`);--> statement-breakpoint
CREATE TABLE `rollups_daily` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`dimension` text NOT NULL,
	`value` text NOT NULL,
	`pageviews` integer NOT NULL,
	`visitors` integer NOT NULL,
	`visits` integer NOT NULL,
	`bounces` integer NOT NULL,
	`duration` integer NOT NULL,
	`events` integer NOT NULL,
	`revenue` integer NOT NULL,
	PRIMARY KEY(`site_id`, `dimension`, `date`, `value`)
);
--> statement-breakpoint
CREATE TABLE `rollups_hourly` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`hour` integer NOT NULL,
	`dimension` text NOT NULL,
	`value` text NOT NULL,
	`pageviews` integer NOT NULL,
	`visitors` integer NOT NULL,
	`visits` integer NOT NULL,
	`bounces` integer NOT NULL,
	`duration` integer NOT NULL,
	`events` integer NOT NULL,
	`revenue` integer NOT NULL,
	PRIMARY KEY(`site_id`, `dimension`, `date`, `hour`, `value`)
);
--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`timezone` text NOT NULL,
	`ingest_key_hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_domain_unique` ON `sites` (`domain`) WHERE "sites"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `sites_owner_idx` ON `sites` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `sites_ingest_key_unique` ON `sites` (`ingest_key_hash`);--> statement-breakpoint
CREATE TABLE `user_weeks` (
	`site_id` text NOT NULL,
	`user_id` text NOT NULL,
	`week` text NOT NULL,
	PRIMARY KEY(`site_id`, `week`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `user_weeks_user_idx` ON `user_weeks` (`user_id`);--> statement-breakpoint
CREATE TABLE `visits` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`visitor_id` text NOT NULL,
	`seq` integer NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`pageviews` integer NOT NULL,
	`events` integer NOT NULL,
	`steps` text NOT NULL,
	PRIMARY KEY(`site_id`, `date`, `visitor_id`, `seq`)
);
--> statement-breakpoint
DROP TABLE `rollups`;--> statement-breakpoint
DROP INDEX `events_name_time_idx`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`ts` integer NOT NULL,
	`date` text NOT NULL,
	`hour` integer NOT NULL,
	`visitor_id` text NOT NULL,
	`user_id` text,
	`name` text NOT NULL,
	`hostname` text NOT NULL,
	`pathname` text NOT NULL,
	`referrer` text NOT NULL,
	`source` text NOT NULL,
	`utm_source` text NOT NULL,
	`utm_medium` text NOT NULL,
	`utm_campaign` text NOT NULL,
	`country` text NOT NULL,
	`device` text NOT NULL,
	`browser` text NOT NULL,
	`os` text NOT NULL,
	`props` text,
	`revenue` integer,
	`currency` text
);
--> statement-breakpoint
CREATE INDEX `events_site_date_idx` ON `events` (`site_id`,`date`,`visitor_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_site_ts_idx` ON `events` (`site_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_ts_idx` ON `events` (`ts`);--> statement-breakpoint
CREATE INDEX `events_user_idx` ON `events` (`user_id`) WHERE "events"."user_id" IS NOT NULL;--> statement-breakpoint
