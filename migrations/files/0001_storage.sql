CREATE TABLE `blobs` (
	`id` text PRIMARY KEY NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`stored_size` integer NOT NULL,
	`encoding` text NOT NULL,
	`object_key` text NOT NULL,
	`sniffed_type` text,
	`storage_class` text DEFAULT 'Standard' NOT NULL,
	`ref_count` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_read_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blobs_object_key_unique` ON `blobs` (`object_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `blobs_sha256_unique` ON `blobs` (`sha256`);--> statement-breakpoint
CREATE INDEX `blobs_ref_count_idx` ON `blobs` (`ref_count`);--> statement-breakpoint
CREATE TABLE `file_shares` (
	`file_id` text NOT NULL,
	`user_id` text NOT NULL,
	`access` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`file_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `file_shares_user_idx` ON `file_shares` (`user_id`);--> statement-breakpoint
CREATE TABLE `owners` (
	`user_id` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `public_links` (
	`id` text PRIMARY KEY NOT NULL,
	`file_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `public_links_token_hash_unique` ON `public_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `public_links_file_idx` ON `public_links` (`file_id`);--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`bytes` integer NOT NULL,
	`files` integer DEFAULT 1 NOT NULL,
	`expires_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reservations_owner_idx` ON `reservations` (`owner_id`);--> statement-breakpoint
CREATE INDEX `reservations_expires_idx` ON `reservations` (`expires_at`);--> statement-breakpoint
CREATE TABLE `s3_keys` (
	`access_key_id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text,
	`sealed_secret` text NOT NULL,
	`last_used_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `s3_keys_owner_idx` ON `s3_keys` (`owner_id`);--> statement-breakpoint
CREATE TABLE `s3_multipart_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`key` text NOT NULL,
	`content_type` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `s3_multipart_owner_idx` ON `s3_multipart_uploads` (`owner_id`);--> statement-breakpoint
CREATE TABLE `upload_urls` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`plan` text,
	`folder` text DEFAULT '' NOT NULL,
	`name` text,
	`max_bytes` integer NOT NULL,
	`content_type` text,
	`expires_at` text NOT NULL,
	`used_at` text,
	`file_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `upload_urls_owner_idx` ON `upload_urls` (`owner_id`);--> statement-breakpoint
CREATE INDEX `upload_urls_expires_idx` ON `upload_urls` (`expires_at`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`length` integer,
	`status` text DEFAULT 'active' NOT NULL,
	`file_id` text,
	`reservation_id` text,
	`expires_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `uploads_owner_idx` ON `uploads` (`owner_id`);--> statement-breakpoint
CREATE INDEX `uploads_status_expires_idx` ON `uploads` (`status`,`expires_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_files` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`folder` text DEFAULT '' NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`blob_id` text NOT NULL,
	`status` text DEFAULT 'ready' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`trashed_at` text
);
--> statement-breakpoint
-- No code ever wrote the old `files` table (the Worker was a shell), so there is nothing to copy.
DROP TABLE `files`;--> statement-breakpoint
ALTER TABLE `__new_files` RENAME TO `files`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `files_owner_idx` ON `files` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `files_blob_idx` ON `files` (`blob_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `files_owner_path_unique` ON `files` (`owner_id`,`folder`,`name`) WHERE "files"."status" = 'ready';--> statement-breakpoint
CREATE INDEX `files_trashed_idx` ON `files` (`status`,`trashed_at`);