-- Issue 12 (the cash register, 54-FZ): each price item's VAT rate, as receipts carry it (ATOL's
-- tax types). 'none' (без НДС) by default: veterinary services are commonly VAT-exempt.
-- Numbered 0015: 0012-0014 are reserved for the other parts of issue 12 being built alongside.
ALTER TABLE nomenclature
  ADD COLUMN vat_rate text NOT NULL DEFAULT 'none'
    CONSTRAINT nomenclature_vat_rate CHECK (vat_rate IN ('none', 'vat0', 'vat5', 'vat7', 'vat10', 'vat20', 'vat22'));
