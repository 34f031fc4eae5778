-- Bridges share the clinics out as relays do (issue 13, point 2): one lease table for both, with
-- the holder's role (db/src/leases: ClinicLeases, leaseQueries). A clinic has at most one relay
-- lease and one bridge lease at a time. Existing leases are relays'.
-- lease_members: who takes part in a role's share, renewed with its leases (the bridges count
-- each other to split the clinics evenly; relays take leases on demand and do not use it).

ALTER TABLE clinic_leases ADD COLUMN role text NOT NULL DEFAULT 'relay';
ALTER TABLE clinic_leases ALTER COLUMN role DROP DEFAULT;
ALTER TABLE clinic_leases DROP CONSTRAINT clinic_leases_pkey;
ALTER TABLE clinic_leases ADD PRIMARY KEY (role, clinic_id);
ALTER TABLE clinic_leases ADD CONSTRAINT clinic_leases_role CHECK (role IN ('relay', 'bridge'));

CREATE TABLE lease_members (
  role       text NOT NULL CHECK (role IN ('relay', 'bridge')),
  member     text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (role, member)
);
