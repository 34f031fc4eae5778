-- LAN sync (issue 15): each clinic's certificate authority, held by the registry. At enrolment
-- the relay signs the desk's own public key (ECDSA P-256) into a desk certificate (O=<clinic>,
-- CN=<desk>); desks of one clinic verify each other offline against the clinic CA's certificate.
-- The CA's private key (PKCS#8 PEM) never leaves PostgreSQL and the relay. Numbered 0018: 0017 is
-- being written in parallel.

CREATE TABLE clinic_cas (
  clinic_id   text PRIMARY KEY REFERENCES clinics (id),
  cert_pem    text NOT NULL,
  key_pem     text NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

-- The desk certificate last issued to each desk (public), and when it stops being valid.
ALTER TABLE desk_credentials
  ADD COLUMN lan_cert_pem text,
  ADD COLUMN lan_cert_not_after timestamptz(3);
