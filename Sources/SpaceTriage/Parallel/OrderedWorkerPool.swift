internal import Foundation

/// Runs numbered jobs `0..<count` on worker threads and hands their results back in order.
///
/// The one pool of the parallel paths: ``BatchClassifier`` runs one job per input,
/// ``SplitFileClassifier`` one per segment of a large file. Each worker makes its per-thread
/// state once, on its own thread (`makeWorker`: a ``Classifier``, say), then
/// runs job after job with the function it returned. Workers run at most `window` jobs ahead of
/// the last one taken, so memory is bounded by the window, not by the number of jobs. A result
/// may be noncopyable: it is moved, never copied, from
/// the worker to the caller of ``take(_:)``.
///
/// A worker may also do a second, optional pass over results already made (``Worker/improve``):
/// only when it would otherwise wait, the window being full, on the newest result not yet
/// improved, and never while the caller takes that result (``take(_:helping:)`` waits for the
/// pass to end). So the pass costs the caller nothing when the workers are the slower side, and
/// saves the caller work when it is.
///
/// One pool runs one batch of jobs: take the results in order with ``take(_:)``, then call
/// ``finish()`` (also when stopping early), which returns once no worker runs.
final class OrderedWorkerPool<Output: ~Copyable>: @unchecked Sendable {
  /// What one worker thread runs.
  struct Worker {
    /// Runs job `index`.
    let run: (Int) -> Output
    /// A second pass over a result not taken yet, run while the window is full (`nil`: none).
    let improve: ((inout Output?) -> Void)?

    init(run: @escaping (Int) -> Output, improve: ((inout Output?) -> Void)? = nil) {
      self.run = run
      self.improve = improve
    }
  }

  // SAFETY (@unchecked Sendable): every mutable property, and the slots, are used only with
  // `condition` locked, but for a slot under a second pass (`improving`), used meanwhile only
  // by the worker running the pass. A worker's functions and the state they captured stay on
  // its thread.
  private let condition = NSCondition()
  private let count: Int
  private let window: Int
  /// A ring of `window` slots: job `i`'s result waits in slot `i % window` (a worker never runs
  /// `window` jobs ahead of the caller, so the slot's previous result has been taken).
  private let slots: UnsafeMutablePointer<Output?>
  private let filled: UnsafeMutablePointer<Bool>
  /// Per slot, whether a worker's second pass ran on its result, and whether one runs now.
  private let improved: UnsafeMutablePointer<Bool>
  private let improving: UnsafeMutablePointer<Bool>
  /// The next job to hand to a worker.
  private var nextJob = 0
  /// Results taken by the caller so far.
  private var taken = 0
  private var running = 0
  private var cancelled = false

  /// Starts `workers` threads (at least one, at most `count`) for jobs `0..<count`.
  ///
  /// - Parameters:
  ///   - window: how many jobs the workers may run ahead of the last result taken (at least 1).
  ///   - makeWorker: called once on each worker thread; returns the function that runs a job.
  convenience init(count: Int, workers: Int, window: Int, makeWorker: @escaping @Sendable () -> (Int) -> Output) {
    self.init(count: count, workers: workers, window: window, makePasses: { Worker(run: makeWorker()) })
  }

  /// Like ``init(count:workers:window:makeWorker:)``, `makePasses` returning each worker's
  /// job function and its second pass (``Worker/improve``).
  init(count: Int, workers: Int, window: Int, makePasses: @escaping @Sendable () -> Worker) {
    self.count = count
    self.window = max(1, window)
    slots = .allocate(capacity: self.window)
    filled = .allocate(capacity: self.window)
    improved = .allocate(capacity: self.window)
    improving = .allocate(capacity: self.window)
    for slot in 0..<self.window {
      (slots + slot).initialize(to: nil)
      (filled + slot).initialize(to: false)
      (improved + slot).initialize(to: false)
      (improving + slot).initialize(to: false)
    }
    let threads = max(1, min(workers, count))
    running = count == 0 ? 0 : threads
    guard count > 0 else { return }
    for _ in 0..<threads {
      let thread = Thread { [self] in work(makePasses()) }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  deinit {
    // Results never taken (the caller stopped early) are destroyed with their slots.
    slots.deinitialize(count: window)
    slots.deallocate()
    filled.deallocate()
    improved.deallocate()
    improving.deallocate()
  }

  /// Waits for the result of job `index`, which must be the next one in order (0, 1, 2 …),
  /// and lets the workers move on.
  ///
  /// - Parameter helping: runs a job on the calling thread. While job `index` is not done, the
  ///   caller runs the next job that no worker has started (within the window) instead of
  ///   waiting: when the workers are the slower side, the caller shares their work.
  func take(_ index: Int, helping: ((Int) -> Output)? = nil) -> Output {
    condition.lock()
    defer { condition.unlock() }
    precondition(index == taken && index < count, "results are taken in order, each once")
    let slot = index % window
    while !filled[slot] || improving[slot] {
      if !filled[slot], let helping, let job = claimJob() {
        runJob(job, with: helping)
      } else {
        condition.wait()
      }
    }
    filled[slot] = false
    improved[slot] = false
    let result = (slots + slot).move()
    (slots + slot).initialize(to: nil)
    taken += 1
    condition.broadcast()
    guard let result else { fatalError("a filled slot holds a result") }
    return result
  }

  /// Hands out no more jobs and returns once no worker runs one.
  func finish() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }

  private func work(_ worker: Worker) {
    condition.lock()
    while true {
      while !cancelled && nextJob < count && nextJob >= taken + window {
        if let improve = worker.improve, let slot = slotToImprove() {
          improveResult(in: slot, with: improve)
        } else {
          condition.wait()
        }
      }
      guard let job = claimJob() else {
        running -= 1
        condition.broadcast()
        condition.unlock()
        return
      }
      runJob(job, with: worker.run)
    }
  }

  /// The slot of the newest result not taken and not improved (none being improved), if any:
  /// the one the caller needs last. Call with `condition` locked.
  private func slotToImprove() -> Int? {
    var job = nextJob - 1
    while job >= taken {
      let slot = job % window
      if filled[slot] && !improved[slot] && !improving[slot] { return slot }
      job -= 1
    }
    return nil
  }

  /// Runs `improve` on the result in `slot`, `condition` unlocked meanwhile (the caller does
  /// not take it until the pass ends). Call with `condition` locked (it is locked again on return).
  private func improveResult(in slot: Int, with improve: (inout Output?) -> Void) {
    improving[slot] = true
    condition.unlock()
    improve(&(slots + slot).pointee)
    condition.lock()
    improving[slot] = false
    improved[slot] = true
    condition.broadcast()
  }

  /// The next job, if it may start now: within the window of the results taken, and the pool
  /// not finished. Call with `condition` locked.
  private func claimJob() -> Int? {
    guard !cancelled, nextJob < count, nextJob < taken + window else { return nil }
    defer { nextJob += 1 }
    return nextJob
  }

  /// Runs `job` with `run`, `condition` unlocked meanwhile, and leaves its result for
  /// ``take(_:helping:)``. Call with `condition` locked (it is locked again on return).
  private func runJob(_ job: Int, with run: (Int) -> Output) {
    condition.unlock()
    let result = run(job)
    condition.lock()
    (slots + job % window).pointee = consume result
    filled[job % window] = true
    condition.broadcast()
  }
}
