public import Foundation
public import SystemPackage

/// Why an input could not be classified.
public struct InputError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// It could not be opened (missing, not permitted): exit status 66.
    case cannotOpen
    /// Reading failed part-way: exit status 74.
    case io
  }

  public var kind: Kind
  public var source: String
  public var reason: String

  public var description: String { "\(Redactor.standard.redact(source)): \(reason)" }
}

/// Classifies many inputs on several threads, delivering results in input order.
///
/// Each worker thread owns a ``Classifier`` over the shared ``CompiledCatalog``. Workers run at
/// most `4 × jobs` inputs ahead of the one being delivered, so memory is bounded by the number
/// of jobs, not by the number of inputs.
public final class BatchClassifier: @unchecked Sendable {
  // SAFETY: all mutable state below is guarded by `condition`.
  private let catalog: CompiledCatalog
  private let condition = NSCondition()
  private var results: [Int: Result<Report, InputError>] = [:]
  private var nextToTake = 0
  private var delivered = 0

  public init(catalog: CompiledCatalog) { self.catalog = catalog }

  /// Classifies `inputs` with `jobs` threads; calls `deliver` on the calling thread for each
  /// input, in order.
  public func run(
    _ inputs: [InputFiles.Input], jobs: Int, deliver: (InputFiles.Input, Result<Report, InputError>) -> Void
  ) {
    let workers = max(1, min(jobs, inputs.count))
    if workers == 1 {
      let classifier = Classifier(catalog: catalog)
      for input in inputs { deliver(input, BatchClassifier.classify(input, with: classifier)) }
      return
    }
    let window = 4 * workers
    for _ in 0..<workers {
      let thread = Thread { [self] in
        let classifier = Classifier(catalog: catalog)
        while true {
          condition.lock()
          while nextToTake < inputs.count && nextToTake >= delivered + window { condition.wait() }
          guard nextToTake < inputs.count else {
            condition.unlock()
            return
          }
          let index = nextToTake
          nextToTake += 1
          condition.unlock()
          let result = BatchClassifier.classify(inputs[index], with: classifier)
          condition.lock()
          results[index] = result
          condition.broadcast()
          condition.unlock()
        }
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    for index in inputs.indices {
      condition.lock()
      while results[index] == nil { condition.wait() }
      let result = results.removeValue(forKey: index)!
      delivered = index + 1
      condition.broadcast()
      condition.unlock()
      deliver(inputs[index], result)
    }
  }

  /// Classifies one input with `classifier`.
  public static func classify(_ input: InputFiles.Input, with classifier: Classifier) -> Result<Report, InputError> {
    switch input {
    case .unreadable(let path, let reason):
      return .failure(InputError(kind: .cannotOpen, source: path, reason: reason))
    case .standardInput:
      return read(FileDescriptor.standardInput, name: "-", with: classifier)
    case .file(let path):
      let descriptor: FileDescriptor
      do {
        descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
      } catch let errno as Errno {
        return .failure(InputError(kind: .cannotOpen, source: path, reason: errno.description))
      } catch {
        return .failure(InputError(kind: .cannotOpen, source: path, reason: "\(error)"))
      }
      defer { try? descriptor.close() }
      return read(descriptor, name: path, with: classifier)
    }
  }

  private static func read(_ descriptor: FileDescriptor, name: String, with classifier: Classifier) -> Result<Report, InputError> {
    do {
      return .success(try classifier.classify(FileDescriptorSource(descriptor), name: name))
    } catch let errno as Errno {
      return .failure(InputError(kind: errno == .isDirectory ? .cannotOpen : .io, source: name, reason: errno.description))
    } catch {
      return .failure(InputError(kind: .io, source: name, reason: "\(error)"))
    }
  }
}
