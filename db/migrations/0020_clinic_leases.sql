-- Several relays behind one address (issue 13, point 2): each clinic is served by one relay at a
-- time, the holder of its lease (sync-server/src/ClinicLeases.ts, leaseQueries.ts). A relay takes
-- a clinic's lease when a desk of the clinic connects, if nobody holds it or it has expired, and
-- renews it every few seconds; a desk that reaches another relay is sent to holder_url. Every
-- time is PostgreSQL's clock (now()), never a relay's.

CREATE TABLE clinic_leases (
  clinic_id  text PRIMARY KEY,
  holder     text NOT NULL,
  holder_url text NOT NULL,
  expires_at timestamptz NOT NULL
);
