-- Reports by the clinic's own calendar day (issue 10), not UTC's: a Moscow clinic's invoices of
-- 00:00-02:59 and a Vladivostok clinic's of 00:00-09:59 belong to that local day. The day is
-- counted in the time zone of the clinic's profile, or Europe/Moscow while it names none (the
-- desks' default too). Columns stay as 0004 made them.

CREATE OR REPLACE VIEW report_revenue_per_day AS
SELECT i.clinic_id, (i.issued_at AT TIME ZONE coalesce(nullif(p.time_zone, ''), 'Europe/Moscow'))::date AS day,
       count(*) AS invoices, sum(i.total_kopecks)::bigint AS revenue_kopecks
FROM invoices i LEFT JOIN clinic_profiles p ON p.clinic_id = i.clinic_id
WHERE i.deleted_at IS NULL AND i.status <> 'void'
GROUP BY i.clinic_id, day;

CREATE OR REPLACE VIEW report_appointments_per_vet_day AS
SELECT a.clinic_id, a.vet, (a.starts_at AT TIME ZONE coalesce(nullif(p.time_zone, ''), 'Europe/Moscow'))::date AS day,
       count(*) AS appointments,
       count(*) FILTER (WHERE a.status = 'done') AS done,
       count(*) FILTER (WHERE a.status IN ('cancelled', 'no_show')) AS missed
FROM appointments a LEFT JOIN clinic_profiles p ON p.clinic_id = a.clinic_id
WHERE a.deleted_at IS NULL
GROUP BY a.clinic_id, a.vet, day;
