//! Sealing, hashing and header round trips.

use super::header::{BASE_HEADER_BYTES, FLAG_PASSPHRASE, FLAG_VIEWS, NONCE_BYTES, TAG_BYTES};
use super::*;

const KEY: [u8; 24] = [7; 24];
const LOOKUP: [u8; 16] = [3; 16];
const FAST: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn plain_header() -> Header {
    Header {
        expires_at: 1_795_317_018,
        passphrase: None,
        e2e: false,
        views: Views::ONCE,
        reveal_verifier: None,
    }
}

#[test]
fn password_hashes_round_trip_and_match_only_their_password() {
    let salt = PassphraseSalt::generate(FAST);
    let right = salt.stretch(b"correct horse").expect("stretch");
    let hash = PasswordHash::new(salt, &right);
    let decoded = PasswordHash::decode(&hash.encode()).expect("decodes");
    assert_eq!(decoded, hash);
    assert!(decoded.matches(&decoded.salt().stretch(b"correct horse").expect("stretch")));
    assert!(!decoded.matches(&decoded.salt().stretch(b"wrong horse").expect("stretch")));
    assert!(!hash.encode().contains("correct"));
    for bad in [
        "",
        "bcrypt$x",
        "argon2id$m=0,t=1,p=1$AAAA$AAAA",
        &format!("{}$extra", hash.encode()),
    ] {
        assert!(PasswordHash::decode(bad).is_none(), "{bad}");
    }
}

#[test]
fn code_digests_depend_on_the_server_key_the_slot_and_the_code() {
    let (key, other_key) = ([1u8; 32], [2u8; 32]);
    let slot = code_slot(&key, "api", "verify", "ada@example.org");
    assert_ne!(slot, code_slot(&key, "api", "login", "ada@example.org"));
    assert_ne!(
        slot,
        code_slot(&key, "account", "verify", "ada@example.org")
    );
    assert_ne!(
        slot,
        code_slot(&other_key, "api", "verify", "ada@example.org")
    );
    let digest = code_digest(&key, &slot, "123456");
    assert_eq!(digest, code_digest(&key, &slot, "123456"));
    assert_ne!(digest, code_digest(&key, &slot, "123457"));
    assert_ne!(digest, code_digest(&other_key, &slot, "123456"));
    assert_ne!(email_index_id("a@x.org"), email_index_id("b@x.org"));
}

#[test]
fn sealing_round_trips_without_passphrase() {
    let sealed = seal(
        Sealed::Secret,
        &KEY,
        None,
        &plain_header(),
        &LOOKUP,
        b"hunter2",
    );
    assert!(!is_protected(&sealed));
    assert_eq!(Header::decode(&sealed).map(|(h, _)| h), Ok(plain_header()));
    assert_eq!(
        open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed).as_deref(),
        Ok(&b"hunter2"[..])
    );
}

#[test]
fn sealing_round_trips_with_passphrase() {
    let salt = PassphraseSalt::generate(FAST);
    let header = Header {
        expires_at: 1,
        passphrase: Some(salt),
        e2e: false,
        views: Views::ONCE,
        reveal_verifier: None,
    };
    let stretched = salt.stretch(b"correct horse").expect("valid params");
    let sealed = seal(
        Sealed::Secret,
        &KEY,
        Some(&stretched),
        &header,
        &LOOKUP,
        b"battery staple",
    );
    assert!(is_protected(&sealed));
    let (decoded, _) = Header::decode(&sealed).expect("header");
    assert_eq!(decoded, header);
    let again = decoded.passphrase.expect("salt").stretch(b"correct horse");
    let opened = open(Sealed::Secret, &KEY, again.ok().as_ref(), &LOOKUP, &sealed);
    assert_eq!(opened.as_deref(), Ok(&b"battery staple"[..]));
}

#[test]
fn a_wrong_passphrase_does_not_open() {
    let salt = PassphraseSalt::generate(FAST);
    let header = Header {
        expires_at: 1,
        passphrase: Some(salt),
        e2e: false,
        views: Views::ONCE,
        reveal_verifier: None,
    };
    let right = salt.stretch(b"right").expect("valid params");
    let wrong = salt.stretch(b"wrong").expect("valid params");
    let sealed = seal(Sealed::Secret, &KEY, Some(&right), &header, &LOOKUP, b"x");
    assert_eq!(
        open(Sealed::Secret, &KEY, Some(&wrong), &LOOKUP, &sealed),
        Err(CryptoError::Unauthentic)
    );
    assert_eq!(
        open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed),
        Err(CryptoError::Unauthentic)
    );
}

#[test]
fn a_wrong_key_does_not_open() {
    let sealed = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
    assert_eq!(
        open(Sealed::Secret, &[8; 24], None, &LOOKUP, &sealed),
        Err(CryptoError::Unauthentic)
    );
}

#[test]
fn every_tampered_byte_is_detected() {
    let sealed = seal(
        Sealed::Secret,
        &KEY,
        None,
        &plain_header(),
        &LOOKUP,
        b"hunter2",
    );
    for index in 0..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[index] ^= 0x01;
        assert!(
            open(Sealed::Secret, &KEY, None, &LOOKUP, &tampered).is_err(),
            "byte {index}"
        );
    }
}

#[test]
fn a_token_key_does_not_open_a_secret_of_the_same_bytes() {
    let sealed = seal(Sealed::Token, &KEY, None, &plain_header(), &LOOKUP, b"x");
    assert!(open(Sealed::Token, &KEY, None, &LOOKUP, &sealed).is_ok());
    assert_eq!(
        open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed),
        Err(CryptoError::Unauthentic)
    );
}

#[test]
fn views_survive_the_header_and_old_headers_mean_one_view() {
    let salt = PassphraseSalt::generate(FAST);
    for views in [
        Views::ONCE,
        Views {
            max: 100,
            viewer_may_burn: false,
            retrieval_step: true,
            answer: false,
            file: true,
        },
        Views {
            max: 1,
            viewer_may_burn: false,
            answer: true,
            ..Views::ONCE
        },
        Views {
            max: 7,
            viewer_may_burn: true,
            ..Views::ONCE
        },
    ] {
        for (passphrase, reveal_verifier) in [
            (None, None),
            (Some(salt), None),
            (None, Some([9; VERIFIER_BYTES])),
            (Some(salt), Some([8; VERIFIER_BYTES])),
        ] {
            let header = Header {
                expires_at: 99,
                passphrase,
                e2e: true,
                views,
                reveal_verifier,
            };
            let sealed = seal(Sealed::Secret, &KEY, None, &header, &LOOKUP, b"x");
            assert_eq!(Header::decode(&sealed).map(|(read, _)| read), Ok(header));
            assert_eq!(views_allowed(&sealed), views.max);
            assert_eq!(is_protected(&sealed), passphrase.is_some());
        }
    }
    let old = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
    assert_eq!(old.len(), BASE_HEADER_BYTES + NONCE_BYTES + 1 + TAG_BYTES);
    let mut zero_views = old.clone();
    zero_views[PROTECTED_FLAG_OFFSET] = FLAG_VIEWS;
    zero_views[VIEWS_OFFSET] = 0;
    assert_eq!(Header::decode(&zero_views), Err(CryptoError::Malformed));
}

#[test]
fn ciphertext_is_bound_to_its_record() {
    let sealed = seal(
        Sealed::Secret,
        &KEY,
        None,
        &plain_header(),
        &LOOKUP,
        b"hunter2",
    );
    assert_eq!(
        open(Sealed::Secret, &KEY, None, &[4; 16], &sealed),
        Err(CryptoError::Unauthentic)
    );
}

#[test]
fn clearing_the_passphrase_flag_does_not_bypass_the_passphrase() {
    let salt = PassphraseSalt::generate(FAST);
    let header = Header {
        expires_at: 1,
        passphrase: Some(salt),
        e2e: false,
        views: Views::ONCE,
        reveal_verifier: None,
    };
    let stretched = salt.stretch(b"pw").expect("valid params");
    let mut sealed = seal(
        Sealed::Secret,
        &KEY,
        Some(&stretched),
        &header,
        &LOOKUP,
        b"x",
    );
    sealed[PROTECTED_FLAG_OFFSET] = 0;
    assert!(open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed).is_err());
}

#[test]
fn ciphertext_does_not_contain_the_plaintext() {
    let sealed = seal(
        Sealed::Secret,
        &KEY,
        None,
        &plain_header(),
        &LOOKUP,
        b"hunter2hunter2",
    );
    assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
}

#[test]
fn truncated_or_unknown_formats_are_malformed() {
    let sealed = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
    assert_eq!(
        open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed[..20]),
        Err(CryptoError::Malformed)
    );
    assert_eq!(Header::decode(&[]), Err(CryptoError::Malformed));
    let mut future = sealed.clone();
    future[0] = 2;
    assert_eq!(Header::decode(&future), Err(CryptoError::Malformed));
    let mut protected_but_short = sealed[..BASE_HEADER_BYTES].to_vec();
    protected_but_short[1] = FLAG_PASSPHRASE;
    assert_eq!(
        Header::decode(&protected_but_short),
        Err(CryptoError::Malformed)
    );
}

#[test]
fn lookup_ids_are_one_way_and_separated_by_kind() {
    let secret: [u8; 16] = lookup_id(LookupKind::Secret, &KEY);
    let receipt: [u8; 16] = lookup_id(LookupKind::Receipt, &KEY);
    let token: [u8; 16] = lookup_id(LookupKind::Token, &KEY);
    assert_ne!(secret, receipt);
    assert_ne!(secret, token);
    assert_eq!(secret, lookup_id(LookupKind::Secret, &KEY));
    assert!(!secret.windows(4).any(|w| KEY.windows(4).any(|k| k == w)));
}

#[test]
fn reused_memory_gives_the_same_key_and_stays_at_the_cost() {
    let salt = PassphraseSalt::generate(FAST);
    let mut memory = KdfMemory::default();
    let first = salt.stretch_with(b"pw", &mut memory).expect("stretch");
    let again = salt.stretch_with(b"pw", &mut memory).expect("stretch");
    assert_eq!(first.0, again.0);
    assert_eq!(first.0, salt.stretch(b"pw").expect("stretch").0);
    assert_eq!(memory.bytes(), 64 * 1024);
}

#[test]
fn argon2_params_are_checked() {
    assert!(KdfParams::OWASP.validate().is_ok());
    assert!(KdfParams::OWASP.meets_owasp_minimum());
    let costs = |memory_kib, iterations| KdfParams {
        memory_kib,
        iterations,
        parallelism: 1,
    };
    assert!(!costs(19 * 1024 - 1, 2).meets_owasp_minimum());
    assert!(!costs(19 * 1024, 1).meets_owasp_minimum());
    assert!(costs(46 * 1024, 1).meets_owasp_minimum());
    assert!(costs(7 * 1024, 8).meets_owasp_minimum());
    assert!(!costs(64, 1).meets_owasp_minimum());
    let too_little = KdfParams {
        memory_kib: 1,
        ..FAST
    };
    assert_eq!(too_little.validate(), Err(CryptoError::InvalidKdfParams));
    let too_much = KdfParams {
        memory_kib: KdfParams::MAX_MEMORY_KIB + 1,
        ..FAST
    };
    assert_eq!(too_much.validate(), Err(CryptoError::InvalidKdfParams));
}

#[test]
fn generated_secrets_have_the_length_and_alphabet_asked_for() {
    let value = random_alphanumeric(100);
    assert_eq!(value.len(), 100);
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_ne!(random_alphanumeric(32), random_alphanumeric(32));
}
