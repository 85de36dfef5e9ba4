//! Passphrase and password stretching: Argon2id parameters, salts and password hashes.

use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::{CryptoError, random_array};

pub(super) const SALT_BYTES: usize = 16;
/// Argon2id costs: memory in KiB, iterations, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl KdfParams {
    /// OWASP's recommendation for Argon2id: 19 MiB, 2 passes, 1 lane.
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Largest memory cost accepted, from configuration or from a stored record: 1 GiB.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;

    /// Whether these costs reach OWASP's minimum for Argon2id: its equivalent pairs are
    /// 46 MiB × 1 pass, 19 MiB × 2, 12 MiB × 3, 9 MiB × 4 and 7 MiB × 5 or more.
    pub fn meets_owasp_minimum(self) -> bool {
        let minimum_kib = match self.iterations {
            0 => return false,
            1 => 46 * 1024,
            2 => 19 * 1024,
            3 => 12 * 1024,
            4 => 9 * 1024,
            _ => 7 * 1024,
        };
        self.memory_kib >= minimum_kib
    }

    /// Checks that Argon2 accepts these costs (and that they stay within 1 GiB).
    pub fn validate(self) -> Result<Self, CryptoError> {
        self.params().map(|_| self)
    }

    pub(super) fn params(self) -> Result<Params, CryptoError> {
        if self.memory_kib > Self::MAX_MEMORY_KIB {
            return Err(CryptoError::InvalidKdfParams);
        }
        Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| CryptoError::InvalidKdfParams)
    }
}

/// Argon2's working memory, kept by a hashing thread and reused for every hash. Without
/// it each hash allocates its memory cost afresh (19 MiB by default), and the allocator's
/// per-thread arenas kept the freed blocks: RSS grew to ~1 GB under passphrase load.
#[derive(Default)]
pub struct KdfMemory(pub(super) Vec<Block>);

impl KdfMemory {
    /// Bytes currently held.
    pub fn bytes(&self) -> usize {
        self.0.len() * Block::SIZE
    }
}

/// What a passphrase-protected secret records about how to stretch its passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassphraseSalt {
    /// Random per-secret salt.
    pub salt: [u8; SALT_BYTES],
    /// The costs used when the secret was sealed.
    pub params: KdfParams,
}

impl PassphraseSalt {
    /// A fresh salt with the given costs.
    pub fn generate(params: KdfParams) -> Self {
        Self {
            salt: random_array(),
            params,
        }
    }

    /// Stretches `passphrase` with Argon2id. Slow on purpose: run it off the event loop.
    pub fn stretch(&self, passphrase: &[u8]) -> Result<StretchedPassphrase, CryptoError> {
        self.stretch_with(passphrase, &mut KdfMemory::default())
    }

    /// Stretches `passphrase` in `memory`, growing it to this secret's cost if needed.
    pub fn stretch_with(
        &self,
        passphrase: &[u8],
        memory: &mut KdfMemory,
    ) -> Result<StretchedPassphrase, CryptoError> {
        let params = self.params.params()?;
        let blocks = params.block_count();
        if memory.0.len() < blocks {
            memory.0.resize(blocks, Block::new());
        }
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into_with_memory(
                passphrase,
                &self.salt,
                &mut out,
                &mut memory.0[..blocks],
            )
            .map_err(|_| CryptoError::InvalidKdfParams)?;
        Ok(StretchedPassphrase(out))
    }
}

/// A passphrase after Argon2id: key material, never stored.
#[derive(Clone)]
pub struct StretchedPassphrase(pub(super) [u8; 32]);

/// A password's Argon2id hash as stored: costs, salt and output — never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    salt: PassphraseSalt,
    hash: blake3::Hash,
}

impl PasswordHash {
    /// The stored form of a password stretched with `salt`.
    pub fn new(salt: PassphraseSalt, stretched: &StretchedPassphrase) -> Self {
        Self {
            salt,
            hash: blake3::Hash::from(stretched.0),
        }
    }

    /// The salt and costs to stretch a candidate with.
    pub fn salt(&self) -> PassphraseSalt {
        self.salt
    }

    /// Whether a candidate, stretched with [`Self::salt`], is the password (constant time).
    pub fn matches(&self, stretched: &StretchedPassphrase) -> bool {
        self.hash == blake3::Hash::from(stretched.0)
    }

    /// `argon2id$m=…,t=…,p=…$<salt b64>$<hash b64>`.
    pub fn encode(&self) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let params = self.salt.params;
        format!(
            "argon2id$m={},t={},p={}${}${}",
            params.memory_kib,
            params.iterations,
            params.parallelism,
            b64.encode(self.salt.salt),
            b64.encode(self.hash.as_bytes())
        )
    }

    /// Reads [`Self::encode`]'s form; costs out of range are refused.
    pub fn decode(text: &str) -> Option<Self> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let mut parts = text.split('$');
        if parts.next()? != "argon2id" {
            return None;
        }
        let mut costs = parts.next()?.split(',');
        let mut cost = |name: &str| costs.next()?.strip_prefix(name)?.parse::<u32>().ok();
        let params = KdfParams {
            memory_kib: cost("m=")?,
            iterations: cost("t=")?,
            parallelism: cost("p=")?,
        }
        .validate()
        .ok()?;
        let salt = b64.decode(parts.next()?).ok()?.try_into().ok()?;
        let hash: [u8; 32] = b64.decode(parts.next()?).ok()?.try_into().ok()?;
        parts.next().is_none().then_some(Self {
            salt: PassphraseSalt { salt, params },
            hash: blake3::Hash::from(hash),
        })
    }
}
