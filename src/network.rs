//! Who the client is: trusted networks, trusted proxies and forwarding headers.
//!
//! The client address is the TCP peer, unless the peer is a trusted reverse proxy. Then
//! the forwarding chain is walked from the right, one entry at a time: each proxy appends
//! the address it received the request from, so entries written by proxies we trust are
//! skipped, and the first entry that is not a trusted proxy is the client. Nothing to its
//! left is ever parsed or believed: a client's own `X-Forwarded-For` always stands left of
//! the address our proxy wrote. When the walk stops at an entry that is not an address
//! (`unknown`, an obfuscated `_name`, garbage), the chain of proxies itself is broken and
//! the client is [`ClientAddress::Unidentified`]: never in a trusted network, and
//! rate-limited in one bucket shared by every such client — never the proxy's own address,
//! which would make any client look like the (trusted) proxy. This one notion of "client"
//! serves the access log, the token guard, rate limits and the audit log.
//!
//! Forgetting `BURNBOX_TRUSTED_PROXIES` must fail closed. A proxy on the same host makes
//! every client "127.0.0.1", an address in the default trusted networks; so a request
//! that carries any forwarding header from a peer that is not a trusted proxy is a
//! [`ClientAddress::UntrustedForwarder`]: limited by its peer's address as before, but
//! never in a trusted network, whatever that address. The reverse mistake fails closed
//! too: a trusted proxy is never itself the client, so a chain that holds nothing but
//! trusted proxies (a proxy that sent no header) is unidentified.
//!
//! CIDR parsing and matching is `ipnet`'s: a small, widely used crate whose `IpNet`
//! covers IPv4 and IPv6 with the containment check we need.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv6Net};

/// A list of networks, parsed from `10.0.0.0/8,2001:db8::/32` (a bare address is a /32 or /128).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<IpNet>);

impl Networks {
    /// Whether `address` lies in any of the networks (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for Networks {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("`{item}` is not a CIDR network such as 10.0.0.0/8 or ::1/128")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl fmt::Display for Networks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&items.join(","))
    }
}

/// Headers by which a proxy shows itself (naming the client it forwards for, or itself),
/// besides every `X-Forwarded-*` (see [`is_proxy_header`]).
const PROXY_HEADERS: [&str; 8] = [
    "forwarded",
    "via",
    "x-real-ip",
    "x-client-ip",
    "x-cluster-client-ip",
    "true-client-ip",
    "cf-connecting-ip",
    "fastly-client-ip",
];

/// Whether a header (by its lower-case name) is one a proxy writes: a request that
/// carries one came through a proxy, or pretends to. A proxy that sends none cannot be
/// told from a client (docs/operations.md, "Behind a reverse proxy", says to configure
/// one that does).
pub fn is_proxy_header(name: &str) -> bool {
    name.starts_with("x-forwarded-") || PROXY_HEADERS.contains(&name)
}

/// Which forwarding header the trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for="[2001:db8::1]:4711"`.
    Forwarded,
}

impl ForwardedHeader {
    /// The header's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }

    /// The header's entries, right to left: the address each hop wrote, `None` where an
    /// entry is not an address.
    fn entries_from_right<'a>(
        self,
        values: &'a [&'a str],
    ) -> impl Iterator<Item = Option<IpAddr>> + 'a {
        values.iter().rev().flat_map(move |value| {
            value.rsplit(',').map(move |entry| match self {
                Self::XForwardedFor => parse_node(entry.trim()),
                Self::Forwarded => forwarded_for(entry).and_then(parse_node),
            })
        })
    }
}

/// The `for=` parameter of one `Forwarded` element, unquoted.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`. `unknown` and obfuscated names are not.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (address, port) = rest.split_once(']')?;
        if !port.is_empty() && !is_port(port.strip_prefix(':')?) {
            return None;
        }
        return address.parse().ok();
    }
    let (address, port) = node.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The client of a request, as far as the forwarding chain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAddress {
    /// The peer, or the entry where the walk through trusted proxies stopped.
    Ip(IpAddr),
    /// A peer that is not a trusted proxy but sent a forwarding header: most likely a proxy
    /// missing from `BURNBOX_TRUSTED_PROXIES`. Known (and rate-limited) by the peer's
    /// address, but never in a trusted network: its clients are strangers.
    UntrustedForwarder(IpAddr),
    /// No client could be told: the walk stopped at an entry that is not an address (a
    /// broken chain), or found only trusted proxies (a proxy is never itself the client).
    Unidentified,
}

impl ClientAddress {
    /// The address, when there is one.
    pub fn ip(self) -> Option<IpAddr> {
        match self {
            Self::Ip(address) | Self::UntrustedForwarder(address) => Some(address),
            Self::Unidentified => None,
        }
    }

    /// The rate-limit bucket the client draws on: an IPv4 client by its address, an IPv6
    /// client by its `/ipv6_prefix` network (one home line or host gets a whole /64, so a
    /// per-address budget would be 2^64 budgets), every unidentified client in one.
    pub fn bucket(self, ipv6_prefix: u8) -> String {
        match self {
            Self::Ip(IpAddr::V6(address)) | Self::UntrustedForwarder(IpAddr::V6(address)) => {
                Ipv6Net::new(address, ipv6_prefix.min(128))
                    .map_or_else(|_| address.to_string(), |net| net.trunc().to_string())
            }
            Self::Ip(address) | Self::UntrustedForwarder(address) => address.to_string(),
            Self::Unidentified => "unidentified".to_owned(),
        }
    }

    /// Whether the client lies in `networks` (an unidentified client, or one an untrusted
    /// proxy speaks for, never does).
    pub fn is_in(self, networks: &Networks) -> bool {
        match self {
            Self::Ip(address) => networks.contains(address),
            Self::UntrustedForwarder(_) | Self::Unidentified => false,
        }
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(address) | Self::UntrustedForwarder(address) => address.fmt(f),
            Self::Unidentified => f.write_str("unidentified"),
        }
    }
}

/// How to find the client address behind the configured proxies.
#[derive(Debug, Clone)]
pub struct ClientIpPolicy {
    /// The reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: Networks,
    /// The header those proxies write.
    pub header: ForwardedHeader,
}

impl ClientIpPolicy {
    /// The client of a request from `peer` carrying the configured forwarding header's
    /// `header_values` (in the order they arrived); `forwarded` tells whether the request
    /// carries any proxy's header at all ([`is_proxy_header`]).
    pub fn client(&self, peer: IpAddr, header_values: &[&str], forwarded: bool) -> ClientAddress {
        let peer = peer.to_canonical();
        if !self.trusted_proxies.contains(peer) {
            return if forwarded {
                ClientAddress::UntrustedForwarder(peer)
            } else {
                ClientAddress::Ip(peer)
            };
        }
        for entry in self.header.entries_from_right(header_values) {
            let Some(address) = entry else {
                return ClientAddress::Unidentified;
            };
            let address = address.to_canonical();
            if !self.trusted_proxies.contains(address) {
                return ClientAddress::Ip(address);
            }
        }
        // Only trusted proxies: none of them is a client, and nobody else was named.
        ClientAddress::Unidentified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn policy(proxies: &str, header: ForwardedHeader) -> ClientIpPolicy {
        ClientIpPolicy {
            trusted_proxies: proxies.parse().expect("networks"),
            header,
        }
    }

    #[test]
    fn networks_parse_cidrs_and_bare_addresses() {
        let networks: Networks = "10.0.0.0/8, 2001:db8::/32,192.0.2.7"
            .parse()
            .expect("valid");
        assert!(networks.contains(ip("10.1.2.3")));
        assert!(networks.contains(ip("2001:db8::42")));
        assert!(networks.contains(ip("192.0.2.7")));
        assert!(!networks.contains(ip("192.0.2.8")));
        assert!(
            networks.contains(ip("::ffff:10.9.9.9")),
            "IPv4-mapped IPv6 counts as IPv4"
        );
        assert_eq!(
            networks.to_string(),
            "10.0.0.0/8,2001:db8::/32,192.0.2.7/32"
        );
        assert!("".parse::<Networks>().expect("empty").is_empty());
    }

    #[test]
    fn malformed_networks_are_refused() {
        for text in ["10.0.0.0/33", "localhost", "10.0.0.0/8,,nope", "::1/129"] {
            assert!(text.parse::<Networks>().is_err(), "{text}");
        }
    }

    fn client(text: &str) -> ClientAddress {
        ClientAddress::Ip(ip(text))
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let policy = policy("", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client(ip("127.0.0.1"), &[], false),
            client("127.0.0.1")
        );
        assert_eq!(
            policy.client(ip("127.0.0.1"), &["198.51.100.7"], true),
            ClientAddress::UntrustedForwarder(ip("127.0.0.1"))
        );
        assert_eq!(
            policy.client(ip("127.0.0.1"), &["garbage"], true),
            ClientAddress::UntrustedForwarder(ip("127.0.0.1")),
            "an untrusted peer's header is not read at all"
        );
    }

    #[test]
    fn proxy_headers_are_every_x_forwarded_one_and_the_client_naming_ones() {
        for name in [
            "x-forwarded-for",
            "x-forwarded-prefix",
            "forwarded",
            "via",
            "cf-connecting-ip",
        ] {
            assert!(is_proxy_header(name), "{name}");
        }
        for name in ["host", "x-request-id", "x-forwarded", "user-agent"] {
            assert!(!is_proxy_header(name), "{name}");
        }
    }

    #[test]
    fn a_forwarding_peer_that_is_not_a_trusted_proxy_is_never_in_a_trusted_network() {
        let loopback: Networks = "127.0.0.0/8,::1/128".parse().expect("networks");
        // A same-host proxy forgotten in BURNBOX_TRUSTED_PROXIES, and one that is listed
        // while a second proxy on another address is not.
        for proxies in ["", "10.0.0.1"] {
            let policy = policy(proxies, ForwardedHeader::XForwardedFor);
            let direct = policy.client(ip("127.0.0.1"), &[], false);
            assert!(direct.is_in(&loopback), "no forwarding header: the peer");
            for peer in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
                // Any of the three headers, whichever one the proxies are said to write.
                let forwarded = policy.client(ip(peer), &[], true);
                assert!(!forwarded.is_in(&loopback), "{peer} behind {proxies:?}");
                assert!(!forwarded.is_in(&"0.0.0.0/0,::/0".parse().expect("all")));
                let as_peer = ClientAddress::Ip(ip(peer).to_canonical());
                assert_eq!(
                    forwarded.bucket(64),
                    as_peer.bucket(64),
                    "its rate-limit identity stays its peer's"
                );
                assert_eq!(forwarded.to_string(), as_peer.to_string());
            }
        }
    }

    #[test]
    fn a_trusted_proxy_is_believed() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client(ip("127.0.0.1"), &["198.51.100.7"], true),
            client("198.51.100.7")
        );
        for speaking_for_itself in [&[][..], &["127.0.0.1"], &["127.0.0.1, 127.0.0.1"]] {
            assert_eq!(
                policy.client(ip("127.0.0.1"), speaking_for_itself, true),
                ClientAddress::Unidentified,
                "a trusted proxy is never itself the client: {speaking_for_itself:?}"
            );
        }
        // Another forwarding header than the configured one names nobody either.
        assert_eq!(
            policy.client(ip("127.0.0.1"), &[], false),
            ClientAddress::Unidentified
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let policy = policy("127.0.0.1/32,10.0.0.0/8", ForwardedHeader::XForwardedFor);
        let chain = ["203.0.113.66, 198.51.100.7", "203.0.113.9, 10.1.2.3"];
        assert_eq!(
            policy.client(ip("127.0.0.1"), &chain, true),
            client("203.0.113.9")
        );
    }

    #[test]
    fn a_chain_of_trusted_proxies_only_names_no_client() {
        let policy = policy("10.0.0.0/8", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client(ip("10.0.0.1"), &["10.0.0.3, 10.0.0.2"], true),
            ClientAddress::Unidentified
        );
        assert_eq!(
            policy.client(ip("10.0.0.1"), &["198.51.100.7, 10.0.0.3, 10.0.0.2"], true),
            client("198.51.100.7")
        );
    }

    #[test]
    fn nothing_left_of_the_client_is_parsed_or_believed() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        // What a client gets by sending its own header through a proxy that appends.
        for sent in [
            "x",
            "unknown",
            "999.1.1.1",
            "127.0.0.1",
            "x, 127.0.0.1",
            "127.0.0.1, x",
        ] {
            let header = format!("{sent}, 198.51.100.7");
            assert_eq!(
                policy.client(ip("127.0.0.1"), &[&header], true),
                client("198.51.100.7"),
                "{header:?}"
            );
        }
    }

    #[test]
    fn a_broken_chain_is_an_unidentified_client_never_the_proxy() {
        let policy = policy("127.0.0.1,10.0.0.0/8", ForwardedHeader::XForwardedFor);
        for header in [
            "not-an-ip",
            "unknown",
            "999.1.1.1",
            "198.51.100.7, garbage",
            "x, 10.0.0.2",
            "",
            " , ",
            "198.51.100.7:x",
        ] {
            assert_eq!(
                policy.client(ip("127.0.0.1"), &[header], true),
                ClientAddress::Unidentified,
                "{header:?}"
            );
        }
        let unidentified = ClientAddress::Unidentified;
        assert!(!unidentified.is_in(&"0.0.0.0/0,::/0".parse().expect("networks")));
        assert_eq!(unidentified.ip(), None);
        assert_eq!(unidentified.to_string(), "unidentified");
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_prefix() {
        let bucket = |text: &str, prefix| client(text).bucket(prefix);
        assert_eq!(bucket("2001:db8:1:2::a", 64), "2001:db8:1:2::/64");
        assert_eq!(
            bucket("2001:db8:1:2:ffff:ffff:ffff:ffff", 64),
            bucket("2001:db8:1:2::1", 64)
        );
        assert_ne!(bucket("2001:db8:1:3::1", 64), bucket("2001:db8:1:2::1", 64));
        assert_eq!(bucket("2001:db8:1:2::a", 128), "2001:db8:1:2::a/128");
        assert_eq!(bucket("2001:db8:1:2::a", 48), "2001:db8:1::/48");
        assert_eq!(bucket("198.51.100.7", 64), "198.51.100.7");
        assert_ne!(bucket("198.51.100.7", 64), bucket("198.51.100.8", 64));
        assert_eq!(
            ClientAddress::Unidentified.bucket(64),
            ClientAddress::Unidentified.bucket(128)
        );
    }

    #[test]
    fn ports_and_brackets_are_accepted() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        for (header, expected) in [
            ("192.0.2.1:8080", "192.0.2.1"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("[2001:db8::2]", "2001:db8::2"),
            ("2001:db8::3", "2001:db8::3"),
        ] {
            assert_eq!(
                policy.client(ip("127.0.0.1"), &[header], true),
                client(expected),
                "{header}"
            );
        }
        for malformed in ["[2001:db8::1]x", "[2001:db8::1]:", "192.0.2.1:"] {
            assert_eq!(
                policy.client(ip("127.0.0.1"), &[malformed], true),
                ClientAddress::Unidentified,
                "{malformed}"
            );
        }
    }

    #[test]
    fn the_forwarded_header_is_read_by_its_for_parameter() {
        let policy = policy("127.0.0.1", ForwardedHeader::Forwarded);
        let header = r#"for=198.51.100.7;proto=https, For="[2001:db8:cafe::17]:4711";by=10.0.0.1"#;
        assert_eq!(
            policy.client(ip("127.0.0.1"), &[header], true),
            client("2001:db8:cafe::17")
        );
        for malformed in ["for=unknown", "for=_hidden", "proto=https", "for=\"[::1\""] {
            assert_eq!(
                policy.client(ip("127.0.0.1"), &[malformed], true),
                ClientAddress::Unidentified,
                "{malformed}"
            );
        }
        assert_eq!(
            policy.client(ip("127.0.0.1"), &["for=unknown, for=198.51.100.7"], true),
            client("198.51.100.7"),
            "left of the client is never read"
        );
        assert_eq!(ForwardedHeader::Forwarded.name(), "forwarded");
    }

    #[test]
    fn ipv4_mapped_peers_are_matched_as_ipv4() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client(ip("::ffff:127.0.0.1"), &["2001:db8::5"], true),
            client("2001:db8::5")
        );
        assert_eq!(
            policy.client(ip("127.0.0.1"), &["::ffff:198.51.100.9"], true),
            client("198.51.100.9")
        );
    }
}
