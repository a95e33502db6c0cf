//! Blocking connections to one Redis or a Redis Cluster, kept for reuse.
//!
//! A connection that failed in any way is dropped, not returned: the next call opens a fresh
//! one, which is how the store recovers once the server is back.

use std::sync::Mutex;
use std::time::Duration;

use redis::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterConnection};

/// What the pool connects to.
pub(crate) enum Target {
    Single(redis::Client),
    Cluster(ClusterClient),
}

enum Conn {
    Single(redis::Connection),
    Cluster(Box<ClusterConnection>),
}

impl Conn {
    fn get(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Conn::Single(c) => c,
            Conn::Cluster(c) => &mut **c,
        }
    }
}

/// Idle connections, and how to open more.
pub(crate) struct Pool {
    target: Target,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
    connect_timeout: Duration,
    response_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(
        target: Target,
        max_idle: usize,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> Pool {
        Pool {
            target,
            idle: Mutex::new(Vec::new()),
            max_idle,
            connect_timeout,
            response_timeout,
        }
    }

    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    fn connect(&self) -> redis::RedisResult<Conn> {
        match &self.target {
            Target::Single(client) => {
                let c = client.get_connection_with_timeout(self.connect_timeout)?;
                c.set_read_timeout(Some(self.response_timeout))?;
                c.set_write_timeout(Some(self.response_timeout))?;
                Ok(Conn::Single(c))
            }
            // Timeouts and retries were set on the client when it was built.
            Target::Cluster(client) => Ok(Conn::Cluster(Box::new(client.get_connection()?))),
        }
    }

    /// Runs `f` on an idle connection, or a new one. On success the connection goes back to the
    /// pool; on any error it is dropped.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&mut dyn ConnectionLike, bool) -> redis::RedisResult<R>,
    ) -> redis::RedisResult<R> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match idle {
            Some(c) => c,
            None => self.connect()?,
        };
        let cluster = self.is_cluster();
        let r = f(conn.get(), cluster)?;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.max_idle && conn.get().is_open() {
            idle.push(conn);
        }
        Ok(r)
    }

    /// Drops every idle connection (the next call connects afresh).
    pub(crate) fn clear(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
