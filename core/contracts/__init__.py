"""The surety side's records: 保証契約 (surety contracts), 受注者 (contractors), 認証キー.

Contracts arrive from an admin's CSV import (read by ``csv_rows``, written by
``importing``) and are looked up in the ``ledger``; a contractor is one
お客様ID (customer ID) with an e-mail address; ``authkey`` makes and compares the
認証キー (auth key) that opens a certificate on D-Sure; ``demo`` seeds a demo town.
"""
