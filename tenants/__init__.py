"""The tenancy core every service uses: tenant rows, the tenant transaction, RLS, request scoping."""
