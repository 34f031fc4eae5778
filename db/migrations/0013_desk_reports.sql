-- The node registry (issue 14): each desk's last report to the relay, next to its credential row.
-- A desk reports on connecting and then periodically (POST /clinics/:id/report): its records not
-- yet acknowledged by the relay, since when, its last sync in and out, its versions and its clock;
-- the relay keeps the newest report with the time it was received (its own clock).
-- (0013: 0012 is taken by the staff document's migration on another branch.)

CREATE TABLE desk_reports (
  desk_id            text PRIMARY KEY REFERENCES desk_credentials (desk_id),
  clinic_id          text NOT NULL REFERENCES clinics (id),
  received_at        timestamptz(3) NOT NULL,
  waiting            integer NOT NULL CHECK (waiting >= 0),
  oldest_waiting_at  timestamptz(3),
  last_sync_in_at    timestamptz(3),
  last_sync_out_at   timestamptz(3),
  app_version        text NOT NULL,
  schema_version     integer NOT NULL,
  -- the relay's clock minus the desk's, in milliseconds, when the report arrived
  clock_offset_ms    bigint NOT NULL
);
CREATE INDEX desk_reports_clinic ON desk_reports (clinic_id);
