CREATE TABLE `audit_archive_segments` (
	`first_seq` integer PRIMARY KEY NOT NULL,
	`last_seq` integer NOT NULL,
	`first_prev_hash` text NOT NULL,
	`last_hash` text NOT NULL,
	`entries` integer NOT NULL,
	`object_key` text NOT NULL,
	`sha256` text NOT NULL,
	`archived_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `send_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `send_limits_window_idx` ON `send_limits` (`window_start`);--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `signs_from` text;--> statement-breakpoint
CREATE INDEX `oauth_states_expires_idx` ON `oauth_states` (`expires_at`);--> statement-breakpoint
-- Audit retention (hand-written: drizzle-kit does not model triggers). Old entries move to R2 segments recorded in
-- audit_archive_segments; the only rows that may leave audit_logs are those at or below the last archived seq, so the
-- delete path cannot reach an entry that is not anchored in an archived segment. A segment must extend the previous one
-- without a gap and end at an entry that exists with exactly that hash; segments themselves are never changed.
DROP TRIGGER `audit_logs_no_delete`;--> statement-breakpoint
CREATE TRIGGER `audit_logs_no_delete` BEFORE DELETE ON `audit_logs`
WHEN OLD.`seq` > (SELECT coalesce(max(`last_seq`), 0) FROM `audit_archive_segments`)
BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only'); END;--> statement-breakpoint
CREATE TRIGGER `audit_archive_segments_extend_only` BEFORE INSERT ON `audit_archive_segments`
WHEN NEW.`first_seq` != (SELECT coalesce(max(`last_seq`), 0) + 1 FROM `audit_archive_segments`)
  OR NEW.`last_seq` < NEW.`first_seq`
  OR NEW.`entries` != NEW.`last_seq` - NEW.`first_seq` + 1
  OR NOT EXISTS (SELECT 1 FROM `audit_logs` WHERE `seq` = NEW.`last_seq` AND `hash` = NEW.`last_hash`)
  OR NOT EXISTS (SELECT 1 FROM `audit_logs` WHERE `seq` = NEW.`first_seq` AND `prev_hash` = NEW.`first_prev_hash`)
BEGIN SELECT RAISE(ABORT, 'an archive segment must extend the chain'); END;--> statement-breakpoint
CREATE TRIGGER `audit_archive_segments_no_update` BEFORE UPDATE ON `audit_archive_segments`
BEGIN SELECT RAISE(ABORT, 'audit_archive_segments is append-only'); END;--> statement-breakpoint
CREATE TRIGGER `audit_archive_segments_no_delete` BEFORE DELETE ON `audit_archive_segments`
BEGIN SELECT RAISE(ABORT, 'audit_archive_segments is append-only'); END;--> statement-breakpoint
-- Retiring and listing signing keys is its own admin permission (keys:manage in packages/contracts).
UPDATE `roles` SET `permissions` = json_insert(`permissions`, '$[#]', 'keys:manage')
WHERE `name` = 'admin' AND NOT EXISTS (SELECT 1 FROM json_each(`roles`.`permissions`) WHERE `value` = 'keys:manage');
