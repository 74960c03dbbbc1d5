import Foundation
import Testing

@testable import SpaceTriage

/// A counter shared by worker threads and the test.
private final class Counter: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): `value` is used only with `lock` held.
  private let lock = NSLock()
  private var value = 0
  func add(_ amount: Int = 1) { lock.withLock { value += amount } }
  var current: Int { lock.withLock { value } }
}

/// A noncopyable result that counts its destruction.
private struct Tracked: ~Copyable {
  let index: Int
  let destroyed: Counter
  deinit { destroyed.add() }
}

struct OrderedWorkerPoolTests {
  @Test(arguments: [(1, 1), (3, 4), (8, 2)])
  func resultsComeInOrderAndWorkersStayWithinTheWindow(workers: Int, window: Int) {
    let taken = Counter()
    let ahead = Counter()
    let pool = OrderedWorkerPool<Int>(count: 200, workers: workers, window: window) {
      { index in
        // A job starts only while it is within `window` of the results taken.
        if index >= taken.current + window + 1 { ahead.add() }
        if index % 7 == 0 { usleep(100) }
        return index * 2
      }
    }
    var results: [Int] = []
    for index in 0..<200 {
      results.append(pool.take(index))
      taken.add()
    }
    pool.finish()
    #expect(results == (0..<200).map { $0 * 2 })
    #expect(ahead.current == 0)
  }

  /// A caller that would wait for a slow worker runs the next jobs itself: every job runs once,
  /// within the window, and the results still come in order.
  @Test func aCallerThatWouldWaitRunsJobsItself() {
    let window = 3
    let taken = Counter()
    let ahead = Counter()
    let byWorker = Counter()
    let byCaller = Counter()
    let pool = OrderedWorkerPool<Int>(count: 100, workers: 1, window: window) {
      { index in
        if index >= taken.current + window + 1 { ahead.add() }
        usleep(300)
        byWorker.add()
        return index * 2
      }
    }
    var results: [Int] = []
    for index in 0..<100 {
      results.append(
        pool.take(index) { job in
          if job >= taken.current + window + 1 { ahead.add() }
          byCaller.add()
          return job * 2
        })
      taken.add()
    }
    pool.finish()
    #expect(results == (0..<100).map { $0 * 2 })
    #expect(byWorker.current + byCaller.current == 100)
    #expect(byCaller.current > 0)
    #expect(ahead.current == 0)
  }

  /// Results never taken (a caller that stops early) are destroyed with the pool, once each.
  @Test func untakenNoncopyableResultsAreDestroyed() {
    let made = Counter()
    let destroyed = Counter()
    do {
      let pool = OrderedWorkerPool<Tracked>(count: 50, workers: 3, window: 4) {
        { index in
          made.add()
          return Tracked(index: index, destroyed: destroyed)
        }
      }
      for index in 0..<3 {
        let result = pool.take(index)
        #expect(result.index == index)
      }
      pool.finish()
    }
    #expect(made.current >= 3 && made.current <= 3 + 4 + 3)
    // The last worker thread may still hold the pool for a moment after `finish()`.
    let deadline = Date().addingTimeInterval(10)
    while destroyed.current < made.current && Date() < deadline { usleep(1000) }
    #expect(destroyed.current == made.current)
  }

  /// Workers improve results only on time they would otherwise wait (the caller being slow, the
  /// window full): each result at most once, never once taken, and the caller does not take a
  /// result while a pass runs on it.
  @Test func workersImproveWaitingResultsWhileTheWindowIsFull() {
    final class Job: @unchecked Sendable {
      // SAFETY (@unchecked Sendable): handed from worker to caller through the pool's lock.
      var passes = 0
      var inPass = false
    }
    let count = 40
    let pool = OrderedWorkerPool<Job>(count: count, workers: 2, window: 4) {
      .init(
        run: { _ in Job() },
        improve: { job in
          guard let job else { return }
          job.inPass = true
          usleep(200)
          job.passes += 1
          job.inPass = false
        })
    }
    var jobs: [Job] = []
    var passesWhenTaken: [Int] = []
    for index in 0..<count {
      let job = pool.take(index)
      #expect(!job.inPass)
      jobs.append(job)
      passesWhenTaken.append(job.passes)
      // A slow caller: the workers fill the window and then have time for the second pass.
      usleep(3000)
    }
    pool.finish()
    #expect(passesWhenTaken.allSatisfy { $0 <= 1 })
    #expect(passesWhenTaken.filter { $0 == 1 }.count >= count / 2)
    #expect(jobs.map(\.passes) == passesWhenTaken)
  }

  /// With a caller faster than the workers, the window never fills: no second pass runs.
  @Test func noSecondPassWhileTheCallerKeepsUp() {
    let passes = Counter()
    let pool = OrderedWorkerPool<Int>(count: 30, workers: 1, window: 3) {
      .init(
        run: { index in
          usleep(1000)
          return index
        },
        improve: { _ in passes.add() })
    }
    for index in 0..<30 { #expect(pool.take(index) == index) }
    pool.finish()
    #expect(passes.current == 0)
  }

  @Test func noJobs() {
    let pool = OrderedWorkerPool<Int>(count: 0, workers: 4, window: 2) { { $0 } }
    pool.finish()
  }
}
