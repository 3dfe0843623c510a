//! A loopback fault proxy between the guard and moto: it forwards each HTTP request and, while a
//! rule that matches it is active, answers 5xx instead, resets the connection, or forwards the
//! request and then drops the response (the call happened; the caller never hears). Rules are
//! active from the first request they match for a duration, or for a number of requests.
//! std threads and blocking I/O: one thread per connection, one upstream connection per request.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a rule does to a request it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this status and an empty JSON body (not forwarded).
    Status(u16),
    /// Close the connection without an answer (not forwarded).
    Reset,
    /// Forward the request, then close the connection without passing the answer on.
    LoseResponse,
}

/// How long a rule stays active once it first matches.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Span {
    For(Duration),
    Times(u32),
}

type Matcher = Box<dyn Fn(&str, &[u8]) -> bool + Send + Sync>;

struct Rule {
    matches: Matcher,
    fault: Fault,
    span: Span,
    started: Option<Instant>,
    used: u32,
}

impl Rule {
    /// Does the rule apply to this request now (and count it)?
    fn fires(&mut self, head: &str, body: &[u8]) -> bool {
        if !(self.matches)(head, body) {
            return false;
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        let active = match self.span {
            Span::For(d) => started.elapsed() < d,
            Span::Times(n) => self.used < n,
        };
        self.used += u32::from(active);
        active
    }
}

/// The proxy; dropped, it stops accepting.
pub(crate) struct FaultProxy {
    pub endpoint: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    /// (fault, request head's first line) of every fault applied.
    pub applied: Arc<Mutex<Vec<(Fault, String)>>>,
}

impl FaultProxy {
    /// A proxy on a free loopback port forwarding to `upstream` (host:port).
    pub(crate) fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let applied: Arc<Mutex<Vec<(Fault, String)>>> = Arc::default();
        let (r, a, up) = (rules.clone(), applied.clone(), upstream.to_string());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (r, a, up) = (r.clone(), a.clone(), up.clone());
                std::thread::spawn(move || serve(client, &up, &r, &a));
            }
        });
        FaultProxy { endpoint, rules, applied }
    }

    /// Adds a rule: requests `matches` accepts get `fault` while the rule is active.
    pub(crate) fn add(&self, matches: impl Fn(&str, &[u8]) -> bool + Send + Sync + 'static, fault: Fault, span: Span) {
        self.rules.lock().unwrap().push(Rule { matches: Box::new(matches), fault, span, started: None, used: 0 });
    }

    /// How many times a fault was applied.
    pub(crate) fn count(&self, fault: Fault) -> usize {
        self.applied.lock().unwrap().iter().filter(|(f, _)| *f == fault).count()
    }
}

/// Reads one HTTP request or response head and its Content-Length body; `None` at EOF.
fn read_message(s: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok()).flatten()
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// The head with `Connection: close` (one exchange per connection on both sides).
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> =
        head.trim_end().lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    lines.push("Connection: close");
    lines.join("\r\n") + "\r\n\r\n"
}

fn serve(mut client: TcpStream, upstream: &str, rules: &Mutex<Vec<Rule>>, applied: &Mutex<Vec<(Fault, String)>>) {
    let Some((head, body)) = read_message(&mut client) else { return };
    let fault = rules.lock().unwrap().iter_mut().find_map(|r| r.fires(&head, &body).then_some(r.fault));
    if let Some(f) = fault {
        applied.lock().unwrap().push((f, head.lines().next().unwrap_or_default().to_string()));
    }
    match fault {
        Some(Fault::Status(code)) => {
            let body = r#"{"__type":"ServiceUnavailable","message":"injected by the fault proxy"}"#;
            let answer = format!(
                "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = client.write_all(answer.as_bytes());
        }
        Some(Fault::Reset) => {}
        Some(Fault::LoseResponse) => {
            let _ = forward(upstream, &head, &body);
        }
        None => match forward(upstream, &head, &body) {
            Some(answer) => {
                let _ = client.write_all(&answer);
            }
            None => eprintln!("fault proxy: no answer from upstream for {}", head.lines().next().unwrap_or_default()),
        },
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Sends the request upstream and returns the whole answer (read to EOF: the request said close).
fn forward(upstream: &str, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).ok()?;
    up.write_all(closing(head).as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let (rhead, mut rbody) = read_message(&mut up)?;
    if !rhead.to_ascii_lowercase().contains("content-length:") {
        // Chunked or close-delimited: the rest of the stream, as it is.
        up.read_to_end(&mut rbody).ok()?;
    }
    let mut out = closing(&rhead).into_bytes();
    out.extend(rbody);
    Some(out)
}
