//! The worker pool: threads that run blocking work for the loop and hand
//! each result back as an event.
//!
//! The threads start on demand, when a handler hands over a job and every
//! thread is busy, up to the daemon's `worker_threads`; so none exists
//! before the daemon has detached, and a daemon that never hands over a job
//! has none. A job that panics is reported as the job's failure; the thread
//! carries on.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};

use super::names::EventId;
use super::sender::{Delivery, Inbox};
use super::Args;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

/// The worker pool of a daemon.
#[derive(Default)]
pub(crate) struct Workers {
    shared: Arc<Shared>,
    threads: usize,
    /// Jobs handed over whose end has not reached the loop yet.
    pub(crate) running: usize,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("threads", &self.threads)
            .field("running", &self.running)
            .finish()
    }
}

impl Workers {
    /// Runs `work` on a worker thread (started when none is idle and fewer
    /// than `size` run) and delivers its result into `inbox` for `event`.
    /// Fails only when no thread can be started at all.
    pub(crate) fn submit<F>(
        &mut self,
        size: usize,
        inbox: &Arc<Inbox>,
        event: EventId,
        work: F,
    ) -> std::result::Result<(), String>
    where
        F: FnOnce() -> std::result::Result<Args, String> + Send + 'static,
    {
        let inbox = Arc::clone(inbox);
        let job: Job = Box::new(move || {
            let result = match catch_unwind(AssertUnwindSafe(work)) {
                Ok(result) => result,
                Err(panic) => Err(format!("it panicked: {}", panic_message(&*panic))),
            };
            inbox.deliver(Delivery::JobDone(event, result));
        });
        let mut queue = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.jobs.push_back(job);
        let start = queue.jobs.len() > queue.idle && self.threads < size.max(1);
        drop(queue);
        if start {
            let shared = Arc::clone(&self.shared);
            let spawned = std::thread::Builder::new()
                .name(format!("zenkit-worker-{}", self.threads + 1))
                .spawn(move || work_loop(&shared));
            match spawned {
                Ok(_) => self.threads += 1,
                Err(err) if self.threads == 0 => {
                    let mut queue = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
                    queue.jobs.pop_back();
                    return Err(format!("cannot start a worker thread: {err}"));
                }
                // the threads there are take the job in turn
                Err(_) => {}
            }
        } else {
            self.shared.wake.notify_one();
        }
        self.running += 1;
        Ok(())
    }
}

impl Drop for Workers {
    /// Lets idle threads end; a thread running a job ends after it (the
    /// process does not wait for it).
    fn drop(&mut self) {
        let mut queue = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.closed = true;
        queue.jobs.clear();
        drop(queue);
        self.shared.wake.notify_all();
    }
}

fn work_loop(shared: &Shared) {
    let mut queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let Some(job) = queue.jobs.pop_front() {
            drop(queue);
            job();
            queue = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        } else if queue.closed {
            return;
        } else {
            queue.idle += 1;
            queue = shared.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
            queue.idle -= 1;
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "no message"
    }
}
