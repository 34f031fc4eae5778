-- Issue 12: payments and refunds as rows of their own, invoices' voids, and back-office reports in
-- the clinic's time zone (its profile's, Europe/Moscow while it names none).
--
-- invoices.state is the status the invoice shows (shared's invoiceState: issued, partly_paid,
-- paid, void, refunded), derived from its payments on the desks and projected as it is;
-- invoices.status stays what the document stores (an old "paid" without payments is paid in full).

ALTER TABLE invoices
  ADD COLUMN state text NOT NULL DEFAULT 'issued'
    CHECK (state IN ('issued', 'partly_paid', 'paid', 'void', 'refunded')),
  ADD COLUMN void_reason text NOT NULL DEFAULT '',
  ADD COLUMN voided_at timestamptz(3),
  ADD COLUMN voided_by text NOT NULL DEFAULT '',
  ADD COLUMN voided_staff text NOT NULL DEFAULT '';
UPDATE invoices SET state = status;

-- One row per payment or refund (shared/src/schema/payments.ts). Amounts in kopecks; a refund's
-- amount is positive too (kind says which way the money went). The fiscal columns are filled by
-- the cash-register work (receipt state, fiscal document number and sign).
CREATE TABLE invoice_payments (
  id                uuid PRIMARY KEY,
  invoice_id        uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  clinic_id         text NOT NULL REFERENCES clinics (id),
  kind              text NOT NULL CHECK (kind IN ('payment', 'refund')),
  method            text NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
  amount_kopecks    bigint NOT NULL CHECK (amount_kopecks > 0),
  tendered_kopecks  bigint NOT NULL DEFAULT 0 CHECK (tendered_kopecks >= 0),
  change_kopecks    bigint NOT NULL DEFAULT 0 CHECK (change_kopecks >= 0),
  -- a refund of lines: [{"lineId", "qtyMilli", "amount"}]
  lines             jsonb NOT NULL DEFAULT '[]',
  reason            text NOT NULL DEFAULT '',
  at                timestamptz(3) NOT NULL,
  desk_id           text NOT NULL,
  staff_id          text NOT NULL DEFAULT '',
  fiscal_state      text NOT NULL DEFAULT 'none' CHECK (fiscal_state IN ('none', 'pending', 'printed', 'failed')),
  fiscal_number     text NOT NULL DEFAULT '',
  fiscal_sign       text NOT NULL DEFAULT ''
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (invoice_id);
CREATE INDEX invoice_payments_clinic_at ON invoice_payments (clinic_id, at);
CREATE INDEX invoices_clinic_state_issued ON invoices (clinic_id, state, issued_at);

-- The clinic's zone, one place.
CREATE VIEW report_clinic_zones AS
SELECT c.id AS clinic_id, coalesce(nullif(p.time_zone, ''), 'Europe/Moscow') AS time_zone
FROM clinics c LEFT JOIN clinic_profiles p ON p.clinic_id = c.id;

-- The invoice-line fact view: one row per line of a live invoice, with its clinic day.
CREATE VIEW report_invoice_lines AS
SELECT (i.issued_at AT TIME ZONE z.time_zone)::date AS day,
       i.issued_at, i.clinic_id, i.created_by AS desk, i.vet,
       i.id AS invoice_id, i.number,
       i.client_id, c.name AS client_name,
       i.patient_id, p.name AS patient_name, coalesce(p.species, '') AS species,
       it.line_no, it.item_id, it.code, it.name AS item, it.kind,
       it.qty_milli / 1000.0 AS quantity, it.price_kopecks, it.total_kopecks,
       i.state AS status
FROM invoice_items it
JOIN invoices i ON i.id = it.invoice_id
JOIN report_clinic_zones z ON z.clinic_id = i.clinic_id
LEFT JOIN clients c ON c.id = i.client_id
LEFT JOIN patients p ON p.id = i.patient_id
WHERE i.deleted_at IS NULL;

-- Accrual revenue per clinic day: invoices issued that day, not void.
CREATE VIEW report_revenue_accrual_day AS
SELECT i.clinic_id, (i.issued_at AT TIME ZONE z.time_zone)::date AS day,
       count(*) AS invoices, sum(i.total_kopecks)::bigint AS revenue_kopecks
FROM invoices i JOIN report_clinic_zones z ON z.clinic_id = i.clinic_id
WHERE i.deleted_at IS NULL AND i.state <> 'void'
GROUP BY i.clinic_id, day;

-- Money taken and given back, one row per payment or refund, in its clinic day. An old invoice
-- marked paid with no payment row counts as paid in full, by an unknown method, when it was paid.
CREATE VIEW report_money_movements AS
SELECT ip.clinic_id, (ip.at AT TIME ZONE z.time_zone)::date AS day, ip.at, ip.invoice_id, ip.kind,
       ip.method, CASE ip.kind WHEN 'payment' THEN ip.amount_kopecks ELSE -ip.amount_kopecks END AS amount_kopecks,
       ip.desk_id, ip.staff_id
FROM invoice_payments ip
JOIN invoices i ON i.id = ip.invoice_id AND i.deleted_at IS NULL
JOIN report_clinic_zones z ON z.clinic_id = ip.clinic_id
UNION ALL
SELECT i.clinic_id, (coalesce(i.paid_at, i.issued_at) AT TIME ZONE z.time_zone)::date, coalesce(i.paid_at, i.issued_at),
       i.id, 'payment', 'unknown', i.total_kopecks, i.updated_by, ''
FROM invoices i JOIN report_clinic_zones z ON z.clinic_id = i.clinic_id
WHERE i.deleted_at IS NULL AND i.status = 'paid' AND i.total_kopecks > 0
  AND NOT EXISTS (SELECT 1 FROM invoice_payments ip WHERE ip.invoice_id = i.id);

-- Cash-basis revenue per clinic day: payments minus refunds.
CREATE VIEW report_revenue_cash_day AS
SELECT clinic_id, day,
       count(*) FILTER (WHERE kind = 'payment') AS payments,
       count(*) FILTER (WHERE kind = 'refund') AS refunds,
       sum(amount_kopecks)::bigint AS revenue_kopecks
FROM report_money_movements
GROUP BY clinic_id, day;

-- Current clients and patients: without soft-deleted rows (a patient of a deleted client neither).
CREATE VIEW report_current_clients AS
SELECT id, clinic_id, name, phone, email, address, created_at, updated_at FROM clients WHERE deleted_at IS NULL;
CREATE VIEW report_current_patients AS
SELECT p.id, p.clinic_id, p.client_id, p.name, p.species, p.breed, p.sex, p.birth_date, p.chip, p.created_at, p.updated_at
FROM patients p JOIN clients c ON c.id = p.client_id
WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL;

-- The read-only reporting role: NOLOGIN, SELECT on the report views only. An administrator gives
-- an analyst a login in it with:
--   CREATE ROLE analyst LOGIN PASSWORD '...' IN ROLE vetsync_reporting;
-- Roles belong to the whole cluster: the role is made once (a migration user without CREATEROLE
-- skips it with a notice; an administrator then runs this block's statements by hand).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vetsync_reporting') THEN
    BEGIN
      CREATE ROLE vetsync_reporting NOLOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'vetsync_reporting not created: the migration user may not create roles';
      RETURN;
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO vetsync_reporting', current_database());
  GRANT USAGE ON SCHEMA public TO vetsync_reporting;
  GRANT SELECT ON report_clinic_zones, report_invoice_lines, report_revenue_accrual_day, report_money_movements,
    report_revenue_cash_day, report_current_clients, report_current_patients, report_revenue_per_day,
    report_revenue_per_service, report_revenue_per_vet, report_appointments_per_vet_day TO vetsync_reporting;
END $$;
