-- An invoice's total equals the sum of its lines, checked by PostgreSQL too (not only by the
-- shared validators): deferred constraint triggers, so an invoice and its lines can be written
-- in any order inside a transaction. The bridge checks them per batch (SET CONSTRAINTS ...
-- IMMEDIATE inside a savepoint), so one bad invoice is rejected alone.

CREATE FUNCTION vetsync_check_invoice_total() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  inv uuid;
  want bigint;
  got bigint;
BEGIN
  IF TG_TABLE_NAME = 'invoices' THEN inv := NEW.id;
  ELSIF TG_OP = 'DELETE' THEN inv := OLD.invoice_id;
  ELSE inv := NEW.invoice_id;
  END IF;
  SELECT total_kopecks INTO want FROM invoices WHERE id = inv;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT coalesce(sum(total_kopecks), 0) INTO got FROM invoice_items WHERE invoice_id = inv;
  IF want <> got THEN
    RAISE EXCEPTION 'invoice % total % does not equal the sum of its lines %', inv, want, got
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_total_matches_lines';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER invoice_total_matches_lines AFTER INSERT OR UPDATE OF total_kopecks ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vetsync_check_invoice_total();
CREATE CONSTRAINT TRIGGER invoice_lines_match_total AFTER INSERT OR UPDATE OR DELETE ON invoice_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vetsync_check_invoice_total();
