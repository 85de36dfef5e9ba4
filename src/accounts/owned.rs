//! The account's own secrets: receipts recorded at creation, listed and read back.

use super::{Account, AccountService, OwnedReceiptView, OwnedSecret};
use crate::domain::time::now_unix;
use crate::domain::{AuditAction, OwnedReceipt, ReceiptKey, ReceiptView, RecordRef};
use crate::error::ApiError;
use crate::network::ClientAddress;
use crate::store::accounts::Page;

impl AccountService {
    /// Puts a secret the account created on its receipt list, and in the audit log.
    pub async fn record_secret(
        &self,
        account: &Account,
        receipt: &ReceiptKey,
        secret: &RecordRef,
        expires_at: u64,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        let id = receipt.record().to_text();
        let entry = OwnedReceipt {
            receipt: id.clone(),
            created_at: now_unix(),
            expires_at,
            gone_at: expires_at + self.policy.receipt_grace_seconds,
            secret: Some(secret.to_text()),
        };
        let list_ttl = self.policy.ttl_max_seconds + self.policy.receipt_grace_seconds;
        self.store
            .accounts()
            .add_owned_receipt(account.user.id, &entry, self.policy.receipts_kept, list_ttl)
            .await?;
        self.audit(
            AuditAction::SecretCreated,
            Some(account.user.id),
            Some(id),
            ip,
        )
        .await
    }

    /// The account's receipts, newest first, with what became of each secret.
    pub async fn receipts(
        &self,
        account: &Account,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedReceiptView>, ApiError> {
        let page = self.owned_page(account, offset, limit).await?;
        let items = page
            .items
            .into_iter()
            .map(|(entry, record, fate, views)| OwnedReceiptView {
                id: entry.receipt,
                receipt: ReceiptView::new(&record, fate, views),
                created_at: record.created_at,
                expires_at: record.expires_at,
                fate,
            })
            .collect();
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// A page of the account's receipt list, each entry with its receipt's record, its
    /// secret's fate and the views taken (entries whose receipt is gone are left out).
    /// The entries' reads go out together: one round trip for the page.
    pub async fn owned_page(
        &self,
        account: &Account,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedSecret>, ApiError> {
        let page = self
            .store
            .accounts()
            .owned_receipts(account.user.id, now_unix(), offset, limit)
            .await?;
        let reads = page.items.into_iter().map(|entry| self.read_owned(entry));
        let items = futures_util::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect();
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// The account's receipt of the secret at `secret`, if the account owns it: one
    /// lookup in the account's index, however many secrets it has.
    pub async fn owned_secret(
        &self,
        account: &Account,
        secret: &RecordRef,
    ) -> Result<Option<OwnedSecret>, ApiError> {
        let entry = self
            .store
            .accounts()
            .owned_receipt(account.user.id, secret, now_unix())
            .await?;
        match entry {
            Some(entry) => self.read_owned(entry).await,
            None => Ok(None),
        }
    }

    /// An entry of an account's list with its receipt, if the receipt is still there.
    pub(super) async fn read_owned(
        &self,
        entry: OwnedReceipt,
    ) -> Result<Option<OwnedSecret>, ApiError> {
        let Some(receipt) = RecordRef::parse_text(&entry.receipt) else {
            return Ok(None);
        };
        let secret = entry.secret.as_deref().and_then(RecordRef::parse_text);
        let read = match secret {
            Some(secret) => self.store.read_receipt_of(&receipt, &secret).await?,
            // Entries written before they named their secret.
            None => self.store.read_receipt(&receipt).await?,
        };
        Ok(read.map(|(record, fate, views)| (entry, record, fate, views)))
    }
}
