-- WITHOUT ROWID by hand (drizzle cannot declare it): rows stored in key order, so a funnel's scan of one step's
-- visits reads `rest` in place.
CREATE TABLE `visit_steps` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`step` text NOT NULL,
	`visitor_id` text NOT NULL,
	`seq` integer NOT NULL,
	`span` integer NOT NULL,
	`rest` text NOT NULL,
	PRIMARY KEY(`site_id`, `date`, `step`, `visitor_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The index of the visits already stored, as INSERT_VISIT_STEPS_SQL (workers/analytics/src/db/rollup-sql.ts) builds it.
INSERT INTO `visit_steps` (`site_id`, `date`, `step`, `visitor_id`, `seq`, `span`, `rest`)
SELECT v.site_id, v.date, s.step, v.visitor_id, v.seq, v.ended_at - v.started_at,
  substr(v.steps, instr(v.steps, ',' || json_quote(s.step) || ']') + length(json_quote(s.step)) + 2)
FROM visits v
JOIN (
  SELECT DISTINCT x.site_id, x.date, x.visitor_id, x.seq, j.value ->> 1 AS step FROM visits x, json_each(x.steps) j
) s ON s.site_id = v.site_id AND s.date = v.date AND s.visitor_id = v.visitor_id AND s.seq = v.seq;
