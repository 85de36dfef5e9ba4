//! Who the client is: trusted networks, trusted proxies and forwarding headers.
//!
//! The client address is the TCP peer, unless the peer is a trusted reverse proxy; then
//! it is the rightmost address in the forwarding chain that is not a trusted proxy (each
//! proxy appends the address it received from, so entries right of the first untrusted
//! hop were written by proxies we trust, and everything left of it may be forged). The
//! leftmost entry is never trusted for its own sake. A forwarding header that does not
//! parse is ignored whole and the peer is used. This one notion of "client IP" serves the
//! access log, the token guard and (later) rate limits and audit.
//!
//! CIDR parsing and matching is `ipnet`'s: a small, widely used crate whose `IpNet`
//! covers IPv4 and IPv6 with the containment check we need.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

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

    /// The addresses in the header's values, in order; `None` if any entry is malformed.
    pub fn parse_chain<'a>(self, values: impl IntoIterator<Item = &'a str>) -> Option<Vec<IpAddr>> {
        let mut chain = Vec::new();
        for value in values {
            for entry in value.split(',') {
                let node = match self {
                    Self::XForwardedFor => entry.trim(),
                    Self::Forwarded => forwarded_for(entry)?,
                };
                chain.push(parse_node(node)?);
            }
        }
        (!chain.is_empty()).then_some(chain)
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
        if !port.is_empty() && !port.strip_prefix(':')?.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return address.parse().ok();
    }
    let (address, port) = node.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
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
    /// The client address for a request from `peer` carrying `header_values`.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        header_values: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusted_proxies.contains(peer) {
            return peer;
        }
        let Some(chain) = self.header.parse_chain(header_values) else {
            return peer;
        };
        let mut client = peer;
        for hop in chain.into_iter().rev() {
            client = hop.to_canonical();
            if !self.trusted_proxies.contains(client) {
                break;
            }
        }
        client
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

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let policy = policy("", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client_ip(ip("127.0.0.1"), ["198.51.100.7"]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_trusted_proxy_is_believed() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client_ip(ip("127.0.0.1"), ["198.51.100.7"]),
            ip("198.51.100.7")
        );
        assert_eq!(policy.client_ip(ip("127.0.0.1"), []), ip("127.0.0.1"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let policy = policy("127.0.0.1/32,10.0.0.0/8", ForwardedHeader::XForwardedFor);
        let chain = ["203.0.113.66, 198.51.100.7", "203.0.113.9, 10.1.2.3"];
        assert_eq!(policy.client_ip(ip("127.0.0.1"), chain), ip("203.0.113.9"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_ends_at_its_leftmost_entry() {
        let policy = policy("10.0.0.0/8", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client_ip(ip("10.0.0.1"), ["10.0.0.3, 10.0.0.2"]),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn a_malformed_header_is_ignored_whole() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        for header in [
            "not-an-ip",
            "198.51.100.7, garbage",
            "",
            " , ",
            "198.51.100.7:x",
        ] {
            assert_eq!(
                policy.client_ip(ip("127.0.0.1"), [header]),
                ip("127.0.0.1"),
                "{header:?}"
            );
        }
    }

    #[test]
    fn ports_and_brackets_are_accepted() {
        let chain = ForwardedHeader::XForwardedFor
            .parse_chain(["192.0.2.1:8080, [2001:db8::1]:4711, [2001:db8::2], 2001:db8::3"]);
        assert_eq!(
            chain,
            Some(vec![
                ip("192.0.2.1"),
                ip("2001:db8::1"),
                ip("2001:db8::2"),
                ip("2001:db8::3")
            ])
        );
        assert_eq!(
            ForwardedHeader::XForwardedFor.parse_chain(["[2001:db8::1]x"]),
            None
        );
    }

    #[test]
    fn the_forwarded_header_is_read_by_its_for_parameter() {
        let policy = policy("127.0.0.1", ForwardedHeader::Forwarded);
        let header = r#"for=198.51.100.7;proto=https, For="[2001:db8:cafe::17]:4711";by=10.0.0.1"#;
        assert_eq!(
            policy.client_ip(ip("127.0.0.1"), [header]),
            ip("2001:db8:cafe::17")
        );
        for malformed in ["for=unknown", "for=_hidden", "proto=https", "for=\"[::1\""] {
            assert_eq!(
                policy.client_ip(ip("127.0.0.1"), [malformed]),
                ip("127.0.0.1"),
                "{malformed}"
            );
        }
        assert_eq!(ForwardedHeader::Forwarded.name(), "forwarded");
    }

    #[test]
    fn ipv4_mapped_peers_are_matched_as_ipv4() {
        let policy = policy("127.0.0.1", ForwardedHeader::XForwardedFor);
        assert_eq!(
            policy.client_ip(ip("::ffff:127.0.0.1"), ["2001:db8::5"]),
            ip("2001:db8::5")
        );
    }
}
