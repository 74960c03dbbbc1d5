import Foundation
import SystemPackage

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
/// Each worker thread of an ``OrderedWorkerPool`` owns a ``Classifier`` over the shared
/// ``CompiledCatalog``. Workers run at most `4 × jobs` inputs ahead of the one being delivered,
/// so memory is bounded by the number of jobs, not by the number of inputs.
public final class BatchClassifier: Sendable {
  private let catalog: CompiledCatalog

  public init(catalog: CompiledCatalog) { self.catalog = catalog }

  /// Classifies `inputs` with `jobs` threads; calls `deliver` on the calling thread for each
  /// input, in order.
  public func run(
    _ inputs: [InputFiles.Input], jobs: Int, deliver: (InputFiles.Input, Result<Report, InputError>) -> Void
  ) {
    let workers = max(1, min(jobs, inputs.count))
    if workers == 1 {
      // One input: the spare threads can read parts of one large file.
      let classifier = Classifier(catalog: catalog)
      for input in inputs { deliver(input, BatchClassifier.classify(input, with: classifier, jobs: jobs)) }
      return
    }
    let catalog = self.catalog
    let pool = OrderedWorkerPool<Result<Report, InputError>>(count: inputs.count, workers: workers, window: 4 * workers) {
      let classifier = Classifier(catalog: catalog)
      return { index in BatchClassifier.classify(inputs[index], with: classifier) }
    }
    defer { pool.finish() }
    for index in inputs.indices { deliver(inputs[index], pool.take(index)) }
  }

  /// Classifies one input with `classifier`; a regular file of at least `splitSize` bytes
  /// (8 MiB) is read by `jobs` threads at once when `jobs` is more than 1.
  public static func classify(
    _ input: InputFiles.Input, with classifier: Classifier, jobs: Int = 1, splitSize: Int = 8 << 20
  ) -> Result<Report, InputError> {
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
      if jobs > 1, let size = regularFileSize(descriptor), size >= splitSize {
        do {
          if let report = try SplitFileClassifier.classify(descriptor, size: size, name: path, with: classifier, jobs: jobs) {
            return .success(report)
          }
        } catch {
          return .failure(inputError(error, source: path))
        }
      }
      return read(descriptor, name: path, with: classifier)
    }
  }

  private static func read(_ descriptor: FileDescriptor, name: String, with classifier: Classifier) -> Result<Report, InputError> {
    do {
      return .success(try classifier.classify(FileDescriptorSource(descriptor), name: name))
    } catch {
      return .failure(inputError(error, source: name))
    }
  }

  private static func inputError(_ error: any Error, source: String) -> InputError {
    if let errno = error as? Errno {
      return InputError(kind: errno == .isDirectory ? .cannotOpen : .io, source: source, reason: errno.description)
    }
    return InputError(kind: .io, source: source, reason: "\(error)")
  }

  /// The size of the regular file open on `descriptor`, or `nil` for anything else (a pipe, a
  /// FIFO, a device).
  private static func regularFileSize(_ descriptor: FileDescriptor) -> Int? {
    var status = stat()
    guard fstat(descriptor.rawValue, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(status.st_size)
  }
}
