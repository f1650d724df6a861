CREATE TABLE `funnel_days` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`funnel` text NOT NULL,
	`counts` text NOT NULL,
	`long` text NOT NULL,
	PRIMARY KEY(`site_id`, `date`, `funnel`)
);
