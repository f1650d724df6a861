ALTER TABLE `deliveries` ADD `data` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `category` text;