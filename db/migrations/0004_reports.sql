-- Back-office reporting. Revenue counts issued and paid invoices (not void, not deleted),
-- by the clinic's calendar day in UTC.

CREATE VIEW report_revenue_per_day AS
SELECT i.clinic_id, (i.issued_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS invoices, sum(i.total_kopecks)::bigint AS revenue_kopecks
FROM invoices i
WHERE i.deleted_at IS NULL AND i.status <> 'void'
GROUP BY i.clinic_id, day;

CREATE VIEW report_revenue_per_service AS
SELECT i.clinic_id, it.item_id, it.code, it.name, it.kind,
       sum(it.qty_milli) / 1000.0 AS quantity, sum(it.total_kopecks)::bigint AS revenue_kopecks
FROM invoice_items it JOIN invoices i ON i.id = it.invoice_id
WHERE i.deleted_at IS NULL AND i.status <> 'void'
GROUP BY i.clinic_id, it.item_id, it.code, it.name, it.kind;

CREATE VIEW report_revenue_per_vet AS
SELECT i.clinic_id, i.vet, count(*) AS invoices, sum(i.total_kopecks)::bigint AS revenue_kopecks
FROM invoices i
WHERE i.deleted_at IS NULL AND i.status <> 'void'
GROUP BY i.clinic_id, i.vet;

CREATE VIEW report_appointments_per_vet_day AS
SELECT a.clinic_id, a.vet, (a.starts_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS appointments,
       count(*) FILTER (WHERE a.status = 'done') AS done,
       count(*) FILTER (WHERE a.status IN ('cancelled', 'no_show')) AS missed
FROM appointments a
WHERE a.deleted_at IS NULL
GROUP BY a.clinic_id, a.vet, day;
