//! [`AccountStore`] on Redis. Layout: `store/accounts.rs`. A user's records share the
//! user's hash tag, so every multi-key step on them is one slot; the email index, the
//! user list and the audit log live in slots of their own and are written one command at
//! a time.

mod scripts;

use std::collections::HashMap;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::Value;

use self::scripts::{
    ACTIVATE_PENDING, ADD_OWNED, BUMP_GENERATION, CHECK_CODE, CHECK_CODE_SCRIPT, CLAIM_MAIL,
    CREATE_API_KEY, CREATE_SESSION, ISSUE_CODE, ISSUE_CODE_SCRIPT, OWNED_ENTRY, OWNED_PAGE,
    RELEASE_STALE_CLAIM,
};
use super::RedisStore;
use crate::crypto;
use crate::domain::limits::CLIENT_ID_BYTES;
use crate::domain::time::now_micros;
use crate::domain::{
    AccountState, ApiKeyRecord, AuditEvent, AuditStream, Email, KeptAnswer, OwnedReceipt,
    RecordRef, Role, SessionRecord, UserChange, UserId, UserRecord,
};
use crate::store::StoreError;
use crate::store::accounts::{AccountStore, CodeCheck, CodeIssue, CodeLimits, CodeSlot, Page};

fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |_| StoreError::Corrupt(what)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl RedisStore {
    fn user_name(&self, id: UserId) -> String {
        self.tagged(id.tag(), "u", &id.to_string())
    }

    fn email_name(&self, email: &Email) -> String {
        let hash = crypto::email_index_id(email.as_str());
        self.tagged([hash[0], hash[1]], "e", &b64(&hash))
    }

    fn code_names(&self, slot: &CodeSlot) -> [String; 3] {
        let id = b64(&slot.slot);
        let tag = [slot.recipient[0], slot.recipient[1]];
        [
            self.tagged(tag, "c", &id),
            self.tagged(tag, "ca", &id),
            self.tagged(tag, "cc", &b64(&slot.recipient)),
        ]
    }

    fn record_name(&self, record: &RecordRef, kind: &str) -> String {
        self.tagged(record.tag, kind, &b64(&record.lookup))
    }

    /// A user's receipt list (scored by creation), the same entries scored by when they
    /// are gone, and the index from each entry's secret to its entry: one hash tag.
    fn owned_names(&self, user: UserId) -> [String; 3] {
        let id = user.to_string();
        ["ur", "ug", "ui"].map(|kind| self.tagged(user.tag(), kind, &id))
    }

    fn user_list(&self) -> String {
        self.fixed("users", "all")
    }

    /// The stream of one part of the audit log (both under one hash tag).
    fn audit_log(&self, stream: AuditStream) -> String {
        match stream {
            AuditStream::Privileged => self.fixed("audit", "log"),
            AuditStream::Activity => self.fixed("audit", "activity"),
        }
    }

    /// Claims `email` for `id` unless a live user holds it (a claim naming a lapsed
    /// user is released first), for `lapse_seconds` or for good.
    async fn claim_email(
        &self,
        email: &Email,
        id: UserId,
        lapse_seconds: Option<u64>,
    ) -> Result<bool, StoreError> {
        let name = self.email_name(email);
        for _ in 0..2 {
            let mut claim = redis::cmd("SET");
            claim.arg(&name).arg(id.to_string()).arg("NX");
            if let Some(seconds) = lapse_seconds {
                claim.arg("EX").arg(seconds);
            }
            if self.query::<Option<String>>(&claim).await?.is_some() {
                return Ok(true);
            }
            let holder: Option<String> = self.query(redis::cmd("GET").arg(&name)).await?;
            let Some(holder) = holder else { continue };
            let live: bool = match UserId::parse(&holder) {
                Some(holder) => {
                    self.query(redis::cmd("EXISTS").arg(self.user_name(holder)))
                        .await?
                }
                None => false,
            };
            if live {
                return Ok(false);
            }
            let mut release = RELEASE_STALE_CLAIM.key(&name);
            release.arg(&holder);
            self.invoke::<i64>(&release).await?;
        }
        Ok(false)
    }

    async fn write_user_fields(
        &self,
        id: UserId,
        fields: &[(&str, String)],
    ) -> Result<(), StoreError> {
        if fields.is_empty() {
            return Ok(());
        }
        self.query(redis::cmd("HSET").arg(self.user_name(id)).arg(fields))
            .await
    }
}

fn user_fields(user: &UserRecord) -> Result<Vec<(&'static str, String)>, StoreError> {
    Ok(vec![
        ("id", user.id.to_string()),
        ("email", user.email.as_str().to_owned()),
        ("role", enum_text(&user.role)?),
        ("state", enum_text(&user.state)?),
        ("password_hash", user.password_hash.clone()),
        ("created_at", user.created_at.to_string()),
        ("generation", user.generation.to_string()),
        ("keys_from", user.keys_from.to_string()),
    ])
}

/// JSON text of a unit enum, without its quotes (`"admin"` → `admin`).
fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    let json = serde_json::to_string(value).map_err(corrupt("user field"))?;
    Ok(json.trim_matches('"').to_owned())
}

fn user_from_fields(fields: &HashMap<String, String>) -> Result<Option<UserRecord>, StoreError> {
    if fields.is_empty() {
        return Ok(None);
    }
    let bad = || StoreError::Corrupt("user record");
    let field = |name: &str| fields.get(name).ok_or_else(bad);
    let quoted = |name: &str| -> Result<String, StoreError> { Ok(format!("\"{}\"", field(name)?)) };
    Ok(Some(UserRecord {
        id: UserId::parse(field("id")?).ok_or_else(bad)?,
        email: Email::parse(field("email")?).map_err(|_| bad())?,
        role: serde_json::from_str::<Role>(&quoted("role")?).map_err(|_| bad())?,
        state: serde_json::from_str::<AccountState>(&quoted("state")?).map_err(|_| bad())?,
        password_hash: field("password_hash")?.clone(),
        created_at: field("created_at")?.parse().map_err(|_| bad())?,
        generation: field("generation")?.parse().map_err(|_| bad())?,
        // Absent from users written before it existed: no key was void then.
        keys_from: fields
            .get("keys_from")
            .map_or(Ok(0), |text| text.parse())
            .map_err(|_| bad())?,
    }))
}

#[async_trait]
impl AccountStore for RedisStore {
    async fn create_user(
        &self,
        user: &UserRecord,
        lapse_seconds: Option<u64>,
    ) -> Result<bool, StoreError> {
        // The user first, then the claim on the address: an interruption in between leaves
        // an unreachable user hash, never an address claimed by nobody.
        self.write_user_fields(user.id, &user_fields(user)?).await?;
        if let Some(seconds) = lapse_seconds {
            self.query::<i64>(
                redis::cmd("EXPIRE")
                    .arg(self.user_name(user.id))
                    .arg(seconds),
            )
            .await?;
        }
        if !self
            .claim_email(&user.email, user.id, lapse_seconds)
            .await?
        {
            self.query::<i64>(redis::cmd("DEL").arg(self.user_name(user.id)))
                .await?;
            return Ok(false);
        }
        self.query(
            redis::cmd("ZADD")
                .arg(self.user_list())
                .arg(user.created_at)
                .arg(user.id.to_string()),
        )
        .await
        .map(|_: i64| true)
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let fields: HashMap<String, String> = self
            .query(redis::cmd("HGETALL").arg(self.user_name(id)))
            .await?;
        user_from_fields(&fields)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError> {
        let id: Option<String> = self
            .query(redis::cmd("GET").arg(self.email_name(email)))
            .await?;
        match id.as_deref().and_then(UserId::parse) {
            Some(id) => self.user(id).await,
            None => Ok(None),
        }
    }

    async fn change_user(&self, id: UserId, change: &UserChange) -> Result<bool, StoreError> {
        let Some(user) = self.user(id).await? else {
            return Ok(false);
        };
        let mut fields = Vec::new();
        if let Some(email) = change.email.as_ref().filter(|email| **email != user.email) {
            if !self.claim_email(email, id, None).await? {
                return Ok(false);
            }
            self.query::<i64>(redis::cmd("DEL").arg(self.email_name(&user.email)))
                .await?;
            fields.push(("email", email.as_str().to_owned()));
        }
        if let Some(role) = change.role {
            fields.push(("role", enum_text(&role)?));
        }
        if let Some(state) = change.state {
            fields.push(("state", enum_text(&state)?));
        }
        self.write_user_fields(id, &fields).await?;
        Ok(true)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        self.write_user_fields(id, &[("password_hash", hash.to_owned())])
            .await
    }

    async fn activate_pending(&self, id: UserId, hash: &str) -> Result<bool, StoreError> {
        // The address first: should the activation then fail (a block came first), the
        // claim names a user that lapses, and a lapsed user's claim does not hold.
        if let Some(user) = self.user(id).await? {
            self.query::<i64>(redis::cmd("PERSIST").arg(self.email_name(&user.email)))
                .await?;
        }
        let mut invocation = ACTIVATE_PENDING.key(self.user_name(id));
        invocation.arg(hash);
        self.invoke::<i64>(&invocation).await.map(|done| done == 1)
    }

    async fn bump_generation(&self, id: UserId, end_keys: bool) -> Result<u64, StoreError> {
        let mut invocation = BUMP_GENERATION.key(self.user_name(id));
        invocation.arg(u8::from(end_keys));
        self.invoke(&invocation).await
    }

    async fn list_users(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError> {
        let list = self.user_list();
        let mut pipe = redis::pipe();
        pipe.zcard(&list)
            .zrevrange(&list, offset as isize, (offset + limit) as isize - 1);
        let (total, ids): (usize, Vec<String>) = self.query_pipe(&pipe).await?;
        let mut items = Vec::new();
        let mut lapsed = 0;
        for id in ids.iter().filter_map(|id| UserId::parse(id)) {
            match self.user(id).await? {
                Some(user) => items.push(user),
                // A registration that lapsed unconfirmed: cleaned on access.
                None => {
                    lapsed += self
                        .query::<usize>(redis::cmd("ZREM").arg(&list).arg(id.to_string()))
                        .await?;
                }
            }
        }
        Ok(Page {
            items,
            total: total.saturating_sub(lapsed),
        })
    }

    async fn issue_code(
        &self,
        slot: &CodeSlot,
        digest: &[u8; 32],
    ) -> Result<CodeIssue, StoreError> {
        let [code, attempts, cooldown] = self.code_names(slot);
        let (ttl, cooldown_seconds) = (
            slot.ttl_seconds.to_string(),
            slot.cooldown_seconds.to_string(),
        );
        // Acknowledged as any create: unless the replicas have the code, no mail carries it.
        let issued = self
            .create_with(
                &ISSUE_CODE,
                ISSUE_CODE_SCRIPT,
                &[&code, &attempts, &cooldown],
                &[&digest[..], ttl.as_bytes(), cooldown_seconds.as_bytes()],
            )
            .await;
        if matches!(issued, Err(StoreError::CreateNotDurable)) {
            // No mail went out: the retry the answer invites must not meet the cooldown.
            if let Err(error) = self.query::<()>(redis::cmd("DEL").arg(&cooldown)).await {
                log::warn!("could not lift the cooldown of an unacknowledged code: {error}");
            }
        }
        let value = issued?;
        let left_ms: u64 =
            redis::from_redis_value(value).map_err(|_| StoreError::Corrupt("code issue reply"))?;
        Ok(match left_ms {
            0 => CodeIssue::Stored,
            ms => CodeIssue::CoolingDown(ms.div_ceil(1000)),
        })
    }

    async fn check_code(
        &self,
        slot: &CodeSlot,
        client: &[u8; CLIENT_ID_BYTES],
        digest: &[u8; 32],
        limits: CodeLimits,
        kept: Option<&KeptAnswer>,
    ) -> Result<CodeCheck, StoreError> {
        let [code, attempts, _] = self.code_names(slot);
        let tag = [slot.recipient[0], slot.recipient[1]];
        let client_attempts = self.tagged(tag, "cx", &b64(&[&slot.slot[..], client].concat()));
        let (per_client, total) = (limits.per_client.to_string(), limits.total.to_string());
        let ttl = slot.ttl_seconds.max(1).to_string();
        let (kept, window) = self.kept_args(kept, "ck", &code);
        let (value, durable) = self
            .take_with(
                &CHECK_CODE,
                CHECK_CODE_SCRIPT,
                &[&code, &attempts, &client_attempts, &kept],
                &[
                    &digest[..],
                    per_client.as_bytes(),
                    total.as_bytes(),
                    ttl.as_bytes(),
                    window.as_bytes(),
                ],
            )
            .await?;
        let reply: i64 =
            redis::from_redis_value(value).map_err(|_| StoreError::Corrupt("code reply"))?;
        if reply == -2 && !durable {
            return Err(StoreError::NotDurable);
        }
        Ok(match reply {
            -2 => CodeCheck::Matched,
            -1 => CodeCheck::Missing,
            left => CodeCheck::Wrong(
                u32::try_from(left).map_err(|_| StoreError::Corrupt("code attempts"))?,
            ),
        })
    }

    async fn enqueue_mail(&self, id: &[u8; 16], sealed: &[u8]) -> Result<(), StoreError> {
        self.reschedule_mail(id, sealed, 0).await
    }

    async fn claim_mail(&self, lease_ms: u64) -> Result<Option<([u8; 16], Vec<u8>)>, StoreError> {
        let mut invocation = CLAIM_MAIL.key(self.fixed("outbox", "due"));
        invocation
            .key(self.fixed("outbox", "mail"))
            .arg(now_micros() / 1000)
            .arg(lease_ms);
        let claimed: Option<(Vec<u8>, Vec<u8>)> = self.invoke(&invocation).await?;
        claimed
            .map(|(id, sealed)| {
                let id = <[u8; 16]>::try_from(id.as_slice())
                    .map_err(|_| StoreError::Corrupt("queued mail id"))?;
                Ok((id, sealed))
            })
            .transpose()
    }

    async fn remove_mail(&self, id: &[u8; 16]) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        pipe.atomic()
            .zrem(self.fixed("outbox", "due"), &id[..])
            .ignore()
            .hdel(self.fixed("outbox", "mail"), &id[..])
            .ignore();
        self.query_pipe(&pipe).await
    }

    async fn reschedule_mail(
        &self,
        id: &[u8; 16],
        sealed: &[u8],
        delay_ms: u64,
    ) -> Result<(), StoreError> {
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset(self.fixed("outbox", "mail"), &id[..], sealed)
            .ignore()
            .zadd(
                self.fixed("outbox", "due"),
                &id[..],
                now_micros() / 1000 + delay_ms,
            )
            .ignore();
        self.query_pipe(&pipe).await
    }

    async fn create_session(
        &self,
        session: &RecordRef,
        record: &SessionRecord,
        ttl_seconds: u64,
    ) -> Result<bool, StoreError> {
        // The script's two keys must share a slot (Redis Cluster).
        if session.tag != record.user.tag() {
            return Err(StoreError::Corrupt("session outside its user's slot"));
        }
        let json = serde_json::to_string(record).map_err(corrupt("session"))?;
        let mut invocation = CREATE_SESSION.key(self.user_name(record.user));
        invocation
            .key(self.record_name(session, "ss"))
            .arg(record.generation)
            .arg(json)
            .arg(ttl_seconds.max(1));
        self.invoke::<i64>(&invocation).await.map(|done| done == 1)
    }

    async fn session(&self, session: &RecordRef) -> Result<Option<SessionRecord>, StoreError> {
        let json: Option<String> = self
            .query(redis::cmd("GET").arg(self.record_name(session, "ss")))
            .await?;
        json.map(|json| serde_json::from_str(&json).map_err(corrupt("session")))
            .transpose()
    }

    async fn delete_session(&self, session: &RecordRef) -> Result<(), StoreError> {
        self.query(redis::cmd("DEL").arg(self.record_name(session, "ss")))
            .await
            .map(|_: i64| ())
    }

    async fn create_api_key(
        &self,
        key: &RecordRef,
        user: UserId,
        generation: u64,
        record: &ApiKeyRecord,
    ) -> Result<bool, StoreError> {
        // The script's three keys must share a slot (Redis Cluster).
        if key.tag != user.tag() {
            return Err(StoreError::Corrupt("api key outside its user's slot"));
        }
        let stored = ApiKeyRecord {
            user: Some(user),
            lookup: Some(b64(&key.lookup)),
            generation: Some(generation),
            ..record.clone()
        };
        let json = serde_json::to_string(&stored).map_err(corrupt("api key"))?;
        let mut invocation = CREATE_API_KEY.key(self.user_name(user));
        invocation
            .key(self.record_name(key, "ak"))
            .key(self.tagged(user.tag(), "ai", &user.to_string()))
            .arg(generation)
            .arg(json)
            .arg(&record.id);
        self.invoke::<i64>(&invocation).await.map(|done| done == 1)
    }

    async fn api_key(&self, key: &RecordRef) -> Result<Option<ApiKeyRecord>, StoreError> {
        let json: Option<String> = self
            .query(redis::cmd("GET").arg(self.record_name(key, "ak")))
            .await?;
        json.map(|json| serde_json::from_str(&json).map_err(corrupt("api key")))
            .transpose()
    }

    async fn api_keys(&self, user: UserId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let values: Vec<String> = self
            .query(redis::cmd("HVALS").arg(self.tagged(user.tag(), "ai", &user.to_string())))
            .await?;
        values
            .iter()
            .map(|json| serde_json::from_str(json).map_err(corrupt("api key")))
            .collect()
    }

    async fn delete_api_key(&self, user: UserId, id: &str) -> Result<bool, StoreError> {
        let index = self.tagged(user.tag(), "ai", &user.to_string());
        let json: Option<String> = self.query(redis::cmd("HGET").arg(&index).arg(id)).await?;
        let Some(json) = json else { return Ok(false) };
        let record: ApiKeyRecord = serde_json::from_str(&json).map_err(corrupt("api key"))?;
        let lookup = record
            .lookup
            .and_then(|lookup| URL_SAFE_NO_PAD.decode(lookup).ok())
            .and_then(|lookup| lookup.try_into().ok())
            .ok_or(StoreError::Corrupt("api key lookup"))?;
        let key = RecordRef {
            tag: user.tag(),
            lookup,
        };
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(self.record_name(&key, "ak"))
            .ignore()
            .hdel(&index, id);
        let (removed,): (i64,) = self.query_pipe(&pipe).await?;
        Ok(removed == 1)
    }

    async fn add_owned_receipt(
        &self,
        user: UserId,
        entry: &OwnedReceipt,
        keep: usize,
        list_ttl_seconds: u64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(entry).map_err(corrupt("owned receipt"))?;
        let [list, gone, index] = self.owned_names(user);
        // Scored by insertion time in ms: entries of one second keep their order.
        let mut invocation = ADD_OWNED.key(&list);
        invocation
            .key(&gone)
            .key(&index)
            .arg(json)
            .arg(now_micros() / 1000)
            .arg(entry.gone_at)
            .arg(entry.secret.as_deref().unwrap_or_default())
            .arg(keep)
            .arg(list_ttl_seconds);
        self.invoke(&invocation).await
    }

    async fn owned_receipts(
        &self,
        user: UserId,
        now: u64,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedReceipt>, StoreError> {
        let [list, gone, index] = self.owned_names(user);
        if limit == 0 {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let mut invocation = OWNED_PAGE.key(&list);
        invocation
            .key(&gone)
            .key(&index)
            .arg(now)
            .arg(offset)
            .arg(offset.saturating_add(limit - 1));
        let (total, members): (usize, Vec<String>) = self.invoke(&invocation).await?;
        let items = members
            .iter()
            .map(|member| serde_json::from_str(member).map_err(corrupt("owned receipt")))
            .collect::<Result<Vec<OwnedReceipt>, _>>()?
            .into_iter()
            // Past a large backlog the script cleans in steps: the rest waits its turn.
            .filter(|entry| entry.gone_at > now)
            .collect();
        Ok(Page { items, total })
    }

    async fn owned_receipt(
        &self,
        user: UserId,
        secret: &RecordRef,
        now: u64,
    ) -> Result<Option<OwnedReceipt>, StoreError> {
        let [list, gone, index] = self.owned_names(user);
        let mut invocation = OWNED_ENTRY.key(&list);
        invocation.key(&gone).key(&index).arg(secret.to_text());
        let member: Option<String> = self.invoke(&invocation).await?;
        let Some(member) = member else {
            return Ok(None);
        };
        let entry: OwnedReceipt =
            serde_json::from_str(&member).map_err(corrupt("owned receipt"))?;
        Ok((entry.gone_at > now).then_some(entry))
    }

    async fn append_audit(&self, event: &AuditEvent, keep: usize) -> Result<(), StoreError> {
        let json = serde_json::to_string(event).map_err(corrupt("audit event"))?;
        self.query(
            redis::cmd("XADD")
                .arg(self.audit_log(event.action.stream()))
                .arg("MAXLEN")
                .arg("~")
                .arg(keep)
                .arg("*")
                .arg("event")
                .arg(json),
        )
        .await
        .map(|_: String| ())
    }

    async fn audit(
        &self,
        user: Option<UserId>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, AuditEvent)>, StoreError> {
        // Stream ids are times: the newest `limit` of both parts, merged, are the page.
        let mut entries = self
            .audit_stream(AuditStream::Privileged, user, before, limit)
            .await?;
        entries.extend(
            self.audit_stream(AuditStream::Activity, user, before, limit)
                .await?,
        );
        entries.sort_by_key(|(id, _)| std::cmp::Reverse(stream_id_order(id)));
        entries.truncate(limit);
        Ok(entries)
    }
}

/// A stream id (`<ms>-<seq>`) as a sortable pair.
fn stream_id_order(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    (ms.parse().unwrap_or(0), seq.parse().unwrap_or(0))
}

impl RedisStore {
    /// Up to `limit` entries of one part of the audit log, newest first, before `before`.
    async fn audit_stream(
        &self,
        stream: AuditStream,
        user: Option<UserId>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, AuditEvent)>, StoreError> {
        const BATCH: usize = 200;
        let mut out = Vec::new();
        // Exclusive start: `(` before an id (Redis ≥ 6.2).
        let mut end = before.map_or_else(|| "+".to_owned(), |id| format!("({id}"));
        loop {
            let reply: Value = self
                .query(
                    redis::cmd("XREVRANGE")
                        .arg(self.audit_log(stream))
                        .arg(&end)
                        .arg("-")
                        .arg("COUNT")
                        .arg(BATCH),
                )
                .await?;
            let entries = stream_entries(&reply)?;
            let exhausted = entries.len() < BATCH;
            for (id, json) in &entries {
                let event: AuditEvent =
                    serde_json::from_str(json).map_err(corrupt("audit event"))?;
                let concerns = user.is_none_or(|user| {
                    event.actor == Some(user)
                        || event.subject.as_deref() == Some(user.to_string().as_str())
                });
                if concerns {
                    out.push((id.clone(), event));
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
            match entries.last() {
                Some((id, _)) if !exhausted => end = format!("({id}"),
                _ => return Ok(out),
            }
        }
    }
}

/// `[[id, [field, value, …]], …]` → `(id, value of "event")`.
fn stream_entries(reply: &Value) -> Result<Vec<(String, String)>, StoreError> {
    let bad = || StoreError::Corrupt("audit stream");
    let text = |value: &Value| match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        _ => None,
    };
    let Value::Array(entries) = reply else {
        return Err(bad());
    };
    entries
        .iter()
        .map(|entry| {
            let Value::Array(parts) = entry else {
                return Err(bad());
            };
            let id = parts.first().and_then(text).ok_or_else(bad)?;
            let Some(Value::Array(fields)) = parts.get(1) else {
                return Err(bad());
            };
            let event = fields
                .chunks_exact(2)
                .find(|pair| text(&pair[0]).as_deref() == Some("event"))
                .and_then(|pair| text(&pair[1]))
                .ok_or_else(bad)?;
            Ok((id, event))
        })
        .collect()
}
