-- Performance (issue 14): a settlement posts its journal last.
--
-- Settling a trade locks the balance rows of everyone it pays, among them rows that every sale
-- shares (the platform's fee, a creator's royalty), until commit. So the trade journal is posted
-- as the transaction's last step, and the trade row that names it is written just before: its
-- foreign key to journals is checked at commit instead of at the update.
alter table trades alter constraint trades_journal_id_fkey deferrable initially deferred;
