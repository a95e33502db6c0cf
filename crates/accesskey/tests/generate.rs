//! Generated IDs and secrets: layout, alphabet, lengths, round trips, uniqueness.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use iamkit_accesskey::{AccessKeyId, AccountId, Generation, KeyPair, Prefix, SecretAccessKey};
use proptest::prelude::*;

fn is_base32(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7'))
}

fn is_secret_alphabet(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

proptest! {
    #[test]
    fn generate_with_account_reads_it_back(n in 0u64..1_000_000_000_000, p in 0usize..12) {
        let prefix = Prefix::ALL[p];
        let account = AccountId::from_u64(n).unwrap();
        // Through the 12-digit text, as a user would give it.
        let account: AccountId = account.to_string().parse().unwrap();
        prop_assert_eq!(account.as_u64(), n);

        let id = AccessKeyId::generate(prefix, Some(account)).unwrap();
        let parsed: AccessKeyId = id.as_str().parse().unwrap();
        prop_assert_eq!(parsed, id);
        prop_assert_eq!(parsed.prefix(), prefix);
        prop_assert_eq!(parsed.generation(), Generation::New);
        prop_assert_eq!(parsed.account_id(), Some(account));
        // The quick test of the published layout: 5th character Q-Z or 2-7.
        let fifth = parsed.as_str().as_bytes()[4];
        prop_assert!(matches!(fifth, b'Q'..=b'Z' | b'2'..=b'7'));

        let pair = KeyPair::generate(prefix, Some(account)).unwrap();
        let parsed: AccessKeyId = pair.id.as_str().parse().unwrap();
        prop_assert_eq!(parsed.account_id(), Some(account));
        prop_assert_eq!(parsed.prefix(), prefix);
    }

    #[test]
    fn payload_round_trips(payload in any::<[u8; 10]>(), p in 0usize..12) {
        let id = AccessKeyId::from_payload(Prefix::ALL[p], payload);
        prop_assert_eq!(id.payload(), payload);
        prop_assert_eq!(id.as_str().len(), 20);
        prop_assert!(is_base32(&id.as_str()[4..]));
        let parsed: AccessKeyId = id.as_str().parse().unwrap();
        prop_assert_eq!(parsed, id);
        // The generation flag is the top bit; the account is the next 40.
        let z = u64::from_be_bytes([0, 0, payload[0], payload[1], payload[2], payload[3], payload[4], payload[5]]);
        let flag = z >> 47;
        prop_assert_eq!(id.generation() == Generation::New, flag == 1);
        let bits = (z & 0x7FFF_FFFF_FF80) >> 7;
        prop_assert_eq!(id.raw_account_bits(), (flag == 1).then_some(bits));
    }

    #[test]
    fn parser_accepts_exactly_the_well_formed(s in "[A-Z]{4}[A-Z2-7]{16}") {
        let known = Prefix::ALL.iter().any(|p| s.starts_with(p.as_str()));
        match AccessKeyId::parse(&s) {
            Ok(id) => { prop_assert!(known); prop_assert_eq!(id.as_str(), s.as_str()); }
            Err(_) => prop_assert!(!known),
        }
    }
}

#[test]
fn without_an_account_a_random_account_is_embedded() {
    let mut accounts = HashSet::new();
    for prefix in Prefix::ALL {
        for _ in 0..50 {
            let id = AccessKeyId::generate(prefix, None).unwrap();
            assert_eq!(id.generation(), Generation::New);
            let account = id.account_id().expect("a 12-digit account is embedded");
            assert!(account.as_u64() < 1_000_000_000_000);
            accounts.insert(account);
            // the published quick test: a new-generation key's 5th character is Q-Z or 2-7
            assert!(
                matches!(id.as_str().as_bytes()[4], b'Q'..=b'Z' | b'2'..=b'7'),
                "{id}"
            );
        }
    }
    assert!(
        accounts.len() > 590,
        "accounts are random: {} distinct of 600",
        accounts.len()
    );
}

#[test]
fn alphabet_and_lengths() {
    for prefix in Prefix::ALL {
        for account in [None, Some(AccountId::from_u64(123_456_789_012).unwrap())] {
            for _ in 0..200 {
                let pair = KeyPair::generate(prefix, account).unwrap();
                let id = pair.id.as_str();
                assert_eq!(id.len(), 20, "{id}");
                assert!(id.starts_with(prefix.as_str()));
                assert!(is_base32(&id[4..]), "{id}");
                let secret = pair.secret.expose_secret();
                assert_eq!(secret.len(), 40);
                assert!(is_secret_alphabet(secret));
                // The secret is the standard base64 of 30 bytes, without padding.
                let raw = data_encoding::BASE64.decode(secret.as_bytes()).unwrap();
                assert_eq!(raw.len(), 30);
                // And parses back as a secret.
                let again = SecretAccessKey::parse(secret).unwrap();
                assert_eq!(again.expose_secret(), secret);
            }
        }
    }
    let s = SecretAccessKey::generate().unwrap();
    assert_eq!(s.expose_secret().len(), 40);
    assert!(is_secret_alphabet(s.expose_secret()));
}

#[test]
fn every_character_of_the_alphabets_occurs() {
    // A biased or truncated encoder would miss characters; 2000 pairs see every one.
    let mut id_chars = HashSet::new();
    let mut secret_chars = HashSet::new();
    for _ in 0..2000 {
        let pair = KeyPair::generate(Prefix::Akia, None).unwrap();
        id_chars.extend(pair.id.as_str()[4..].chars());
        secret_chars.extend(pair.secret.expose_secret().chars());
    }
    assert_eq!(id_chars.len(), 32);
    assert_eq!(secret_chars.len(), 64);
}

#[test]
fn hundred_thousand_ids_without_collision() {
    // Without an account an ID has about 79 random bits (a random account and 39 more); with a
    // fixed account only 39, as AWS's own keys (a collision among 100,000 of those would be
    // likely enough, about 1%, to flake).
    let mut ids = HashSet::with_capacity(100_000);
    let mut secrets = HashSet::with_capacity(100_000);
    for _ in 0..100_000 {
        let pair = KeyPair::generate(Prefix::Akia, None).unwrap();
        assert!(ids.insert(pair.id), "collision: {}", pair.id);
        assert!(
            secrets.insert(pair.secret.expose_secret().to_owned()),
            "secret collision"
        );
    }
    assert_eq!(ids.len(), 100_000);
}

#[test]
fn ids_with_random_accounts_do_not_collide() {
    let mut ids = HashSet::with_capacity(100_000);
    for i in 0..100_000u64 {
        // Spread over the whole 12-digit range.
        let account = AccountId::from_u64(i.wrapping_mul(9_999_991) % 1_000_000_000_000).unwrap();
        let id = AccessKeyId::generate(Prefix::Asia, Some(account)).unwrap();
        assert_eq!(id.account_id(), Some(account));
        assert!(ids.insert(id), "collision: {id}");
    }
}

/// The random part of an ID with a given account: the 39 bits after the flag and the account.
/// (The test above cannot catch lost randomness: its accounts differ by construction.)
#[test]
fn ids_for_one_account_are_random() {
    let account: AccountId = "123456789012".parse().unwrap();
    let mut ids = HashSet::with_capacity(1000);
    let (mut ones, mut zeros) = (0u64, 0u64);
    for _ in 0..1000 {
        let id = AccessKeyId::generate(Prefix::Akia, Some(account)).unwrap();
        assert_eq!(id.account_id(), Some(account));
        let p = id.payload();
        let bits = p.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        let random = bits & ((1u128 << 39) - 1);
        ones |= random as u64;
        zeros |= !(random as u64) & ((1 << 39) - 1);
        assert!(ids.insert(id), "1,000 IDs for one account collide: {id}");
    }
    // 39 random bits: a collision among 1,000 has a chance of about 1 in a million. Each bit
    // position takes both values (a stuck bit survives 1,000 draws with chance 2^-999).
    assert_eq!(ones, (1 << 39) - 1, "random bits never set: {:039b}", !ones);
    assert_eq!(
        zeros,
        (1 << 39) - 1,
        "random bits never clear: {:039b}",
        !zeros
    );
}
