"""What belongs to a tenant, each in its bucket: projects, API tokens, secrets (encrypted),
model usage and its monthly budget. Every store is keyed by tenant, so one tenant can never
address another's."""

from devteam_tenants.budgets import BudgetStore
from devteam_tenants.projects import ProjectStore
from devteam_tenants.secrets import Secrets, SecretStore
from devteam_tenants.settings import SecretsKeyError, SecretsSettings, new_key, parse_key
from devteam_tenants.tokens import TokenStore, new_token, token_digest
from devteam_tenants.usage import UsageStore

__all__ = [
    "BudgetStore",
    "ProjectStore",
    "SecretStore",
    "Secrets",
    "SecretsKeyError",
    "SecretsSettings",
    "TokenStore",
    "UsageStore",
    "new_key",
    "new_token",
    "parse_key",
    "token_digest",
]
