-- Issue 12, end of day: the cash report per desk and per clinic for each day of the clinic (its
-- profile's time zone, through report_clinic_zones), as the desk prints it from its own payments
-- (client/src/core/views/endOfDay.ts): sales and refunds by payment method, voids (invoices voided
-- that day, by the desk that voided them, at their totals), and the cash in the drawer (cash taken
-- minus cash given back; change is not in the amounts). Only payment rows count: an old invoice
-- marked paid without payments took no money at any desk's drawer that the desk knows of.

CREATE VIEW report_end_of_day_desk AS
WITH moves AS (
  SELECT ip.clinic_id, (ip.at AT TIME ZONE z.time_zone)::date AS day, ip.desk_id,
         ip.kind, ip.method, ip.amount_kopecks AS amount
  FROM invoice_payments ip
  JOIN invoices i ON i.id = ip.invoice_id AND i.deleted_at IS NULL
  JOIN report_clinic_zones z ON z.clinic_id = ip.clinic_id
  UNION ALL
  SELECT i.clinic_id, (i.voided_at AT TIME ZONE z.time_zone)::date, i.voided_by, 'void', '', i.total_kopecks
  FROM invoices i JOIN report_clinic_zones z ON z.clinic_id = i.clinic_id
  WHERE i.deleted_at IS NULL AND i.state = 'void' AND i.voided_at IS NOT NULL
)
SELECT clinic_id, day, desk_id,
       count(*) FILTER (WHERE kind = 'payment') AS sales,
       coalesce(sum(amount) FILTER (WHERE kind = 'payment' AND method = 'cash'), 0)::bigint AS sales_cash_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'payment' AND method = 'card'), 0)::bigint AS sales_card_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'payment' AND method = 'transfer'), 0)::bigint AS sales_transfer_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)::bigint AS sales_kopecks,
       count(*) FILTER (WHERE kind = 'refund') AS refunds,
       coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND method = 'cash'), 0)::bigint AS refunds_cash_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND method = 'card'), 0)::bigint AS refunds_card_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND method = 'transfer'), 0)::bigint AS refunds_transfer_kopecks,
       coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0)::bigint AS refunds_kopecks,
       count(*) FILTER (WHERE kind = 'void') AS voids,
       coalesce(sum(amount) FILTER (WHERE kind = 'void'), 0)::bigint AS voids_kopecks,
       (coalesce(sum(amount) FILTER (WHERE kind = 'payment' AND method = 'cash'), 0)
        - coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND method = 'cash'), 0))::bigint AS cash_in_drawer_kopecks
FROM moves
GROUP BY clinic_id, day, desk_id;

CREATE VIEW report_end_of_day_clinic AS
SELECT clinic_id, day, count(*) AS desks,
       sum(sales)::bigint AS sales,
       sum(sales_cash_kopecks)::bigint AS sales_cash_kopecks,
       sum(sales_card_kopecks)::bigint AS sales_card_kopecks,
       sum(sales_transfer_kopecks)::bigint AS sales_transfer_kopecks,
       sum(sales_kopecks)::bigint AS sales_kopecks,
       sum(refunds)::bigint AS refunds,
       sum(refunds_cash_kopecks)::bigint AS refunds_cash_kopecks,
       sum(refunds_card_kopecks)::bigint AS refunds_card_kopecks,
       sum(refunds_transfer_kopecks)::bigint AS refunds_transfer_kopecks,
       sum(refunds_kopecks)::bigint AS refunds_kopecks,
       sum(voids)::bigint AS voids,
       sum(voids_kopecks)::bigint AS voids_kopecks,
       sum(cash_in_drawer_kopecks)::bigint AS cash_in_drawer_kopecks
FROM report_end_of_day_desk
GROUP BY clinic_id, day;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vetsync_reporting') THEN
    GRANT SELECT ON report_end_of_day_desk, report_end_of_day_clinic TO vetsync_reporting;
  ELSE
    RAISE NOTICE 'vetsync_reporting does not exist: grant SELECT on the end-of-day views by hand';
  END IF;
END $$;
