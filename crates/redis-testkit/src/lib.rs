//! Real `redis-server` processes for iamkit's tests, benches and examples (dev only).
//!
//! [`RedisServer::start`] runs Debian's `redis-server` on a free loopback port in a temporary
//! directory, with an append-only file synced on every write (so that a server killed and
//! restarted remembers every answer it gave); [`RedisCluster::start`] runs three such servers in
//! cluster mode and joins them with `redis-cli --cluster create`. Everything started is killed
//! when its value is dropped. Panics on failure: this is test scaffolding.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `redis-server` on `127.0.0.1`.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    cluster: bool,
    tls: bool,
    durable: bool,
    _tmp: Option<tempfile::TempDir>,
}

/// A free loopback port (and, for a cluster node, its bus port `port + 10000`).
fn free_port(cluster: bool) -> u16 {
    for _ in 0..200 {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        if !cluster {
            return port;
        }
        if port < 55_000 && TcpListener::bind((Ipv4Addr::LOCALHOST, port + 10_000)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port");
}

/// Sends one inline command and reads one reply line (enough for PING and CLUSTER INFO).
///
/// # Errors
///
/// The I/O error when the server cannot be reached or does not answer.
pub fn command(port: u16, cmd: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(format!("{cmd}\r\n").as_bytes())?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line)?;
    if let Some(len) = line.strip_prefix('$') {
        let len: usize = len.trim().parse().unwrap_or(0);
        let mut body = vec![0; len + 2];
        r.read_exact(&mut body)?;
        return Ok(String::from_utf8_lossy(&body).into_owned());
    }
    Ok(line)
}

impl RedisServer {
    /// A single server.
    pub fn start() -> RedisServer {
        RedisServer::start_with(false)
    }

    /// A single server without persistence (no append-only file): for benchmarks of the
    /// protocol rather than of the disk. A restart forgets everything.
    pub fn start_in_memory() -> RedisServer {
        let mut s = RedisServer::start_with(false);
        s.durable = false;
        command(s.port, "CONFIG SET appendonly no").unwrap();
        s
    }

    fn start_with(cluster: bool) -> RedisServer {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = RedisServer {
            child: None,
            port: free_port(cluster),
            dir: tmp.path().to_owned(),
            cluster,
            tls: false,
            durable: true,
            _tmp: Some(tmp),
        };
        s.spawn();
        s
    }

    /// A single server that speaks only TLS, with a certificate for `127.0.0.1` issued by a
    /// throwaway CA (made with the `openssl` tool): see [`RedisServer::ca_pem`].
    pub fn start_tls() -> RedisServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let ossl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .stdin(Stdio::null())
                .output()
                .expect("openssl could not be started (Debian package openssl)");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        ossl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.crt",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=iamkit test CA",
                ],
            ]
            .concat(),
        );
        ossl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
        );
        std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        ossl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ]);
        let mut s = RedisServer {
            child: None,
            port: free_port(false),
            dir,
            cluster: false,
            tls: true,
            durable: true,
            _tmp: Some(tmp),
        };
        s.spawn();
        s
    }

    /// The CA certificate (PEM) of a [`RedisServer::start_tls`] server.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.crt")).unwrap()
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new("redis-server");
        if self.tls {
            cmd.args(["--port", "0", "--tls-port"])
                .arg(self.port.to_string())
                .args(["--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(self.dir.join("server.crt"))
                .arg("--tls-key-file")
                .arg(self.dir.join("server.key"))
                .arg("--tls-ca-cert-file")
                .arg(self.dir.join("ca.crt"));
        } else {
            cmd.arg("--port").arg(self.port.to_string());
        }
        cmd.args(["--bind", "127.0.0.1", "--protected-mode", "yes"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--loglevel", "warning"])
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.cluster {
            cmd.args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
                .arg("--cluster-config-file")
                .arg(self.dir.join("nodes.conf"));
        }
        self.child = Some(cmd.spawn().expect(
            "redis-server could not be started (Debian package redis-server; scripts/test installs it)",
        ));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.tls {
                if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                    return;
                }
            } else if let Ok(r) = command(self.port, "PING")
                && r.starts_with("+PONG")
            {
                return;
            }
            if let Some(c) = &mut self.child
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!(
                    "redis-server on port {} exited ({status}); log: {}",
                    self.port,
                    std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "redis-server did not answer");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT` (`rediss://` for a TLS server).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Its data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server (SIGKILL: no goodbye) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and directory (its append-only file restores the data).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Whether the process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// `INFO stats` field `total_commands_processed` (this command included).
    pub fn commands_processed(&self) -> u64 {
        let info = command(self.port, "INFO stats").unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A three-master Redis Cluster on loopback ports, no replicas.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three cluster-mode servers and creates the cluster over them.
    pub fn start() -> RedisCluster {
        let nodes: Vec<RedisServer> = (0..3).map(|_| RedisServer::start_with(true)).collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli could not be started (Debian package redis-tools)");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        for n in &nodes {
            loop {
                let info = command(n.port, "CLUSTER INFO").unwrap_or_default();
                if info.contains("cluster_state:ok") {
                    break;
                }
                assert!(Instant::now() < deadline, "cluster not ok: {info}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        RedisCluster { nodes }
    }

    /// `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis+cluster://{}", hosts.join(","))
    }

    /// The nodes.
    pub fn nodes(&mut self) -> &mut [RedisServer] {
        &mut self.nodes
    }

    /// The port of the master that serves `key`.
    pub fn port_of_key(&self, key: &str) -> u16 {
        let slot = command(self.nodes[0].port, &format!("CLUSTER KEYSLOT {key}")).unwrap();
        let slot: u16 = slot.trim().trim_start_matches(':').parse().unwrap();
        let nodes = command(self.nodes[0].port, "CLUSTER NODES").unwrap();
        for line in nodes.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 9 {
                continue;
            }
            for range in &f[8..] {
                let (a, b) = range.split_once('-').unwrap_or((range, range));
                if let (Ok(a), Ok(b)) = (a.parse::<u16>(), b.parse::<u16>())
                    && (a..=b).contains(&slot)
                {
                    let addr = f[1].split('@').next().unwrap();
                    return addr.rsplit_once(':').unwrap().1.parse().unwrap();
                }
            }
        }
        panic!("no node serves slot {slot}");
    }
}

impl RedisServer {
    /// The commands clients sent (each a round trip unless pipelined) while `f` ran, as MONITOR
    /// shows them; commands run inside scripts (`[0 lua]`) are not counted.
    pub fn client_commands(&self, f: impl FnOnce()) -> Vec<String> {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"MONITOR\r\n").unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.starts_with("+OK"), "{line}");
        f();
        let marker = "iamkit-testkit-monitor-end";
        command(self.port, &format!("ECHO {marker}")).unwrap();
        let mut seen = Vec::new();
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line.contains(marker) {
                break;
            }
            if !line.contains(" lua]") {
                seen.push(line.trim().to_owned());
            }
        }
        seen
    }
}
