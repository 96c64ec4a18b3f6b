package io.maskkv.server.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ./maskkv serve} or {@code ./maskkv worker} JVM, as users deploy it: its own process on loopback, its
 * stderr (the log) in a file, and the signals a fault suite sends (kill -9, SIGSTOP/SIGCONT, SIGTERM).
 */
final class ServingProcess implements AutoCloseable {
  private static final Pattern WORKER_PORT = Pattern.compile("on port (\\d+)");
  private static final Pattern CONTROLLER_PORT = Pattern.compile("listening on [^:\\s]+:(\\d+)");
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private Process process;
  private int port;

  private ServingProcess(List<String> command, Map<String, String> env, Path log) {
    this.command = command;
    this.env = env;
    this.log = log;
  }

  /** Starts {@code io.maskkv.server.Main args...} with this test's classpath and waits until it listens. */
  static ServingProcess start(Path log, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a fixed, pre-touched heap and glibc returning freed tensor blocks: resident memory then measures the
        // native memory the sessions hold, so a leak shows as growth
        "-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true",
        "-Dai.djl.default_engine=PyTorch", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), "io.maskkv.server.Main"));
    cmd.addAll(List.of(args));
    ServingProcess p = new ServingProcess(cmd, env, log);
    p.launch();
    return p;
  }

  private void launch() {
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      b.environment().putAll(env);
      b.environment().put("OMP_NUM_THREADS", "1");
      b.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
      long before = Files.exists(log) ? Files.size(log) : 0;
      process = b.start();
      port = awaitPort(before);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the same command again (after a kill), on the port it had, so static worker lists still name it. */
  void restart() {
    List<String> again = new ArrayList<>(command);
    int i = again.indexOf("--port");
    again.set(i + 1, Integer.toString(port));
    command.clear();
    command.addAll(again);
    launch();
  }

  private int awaitPort(long from) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      text = text.substring((int) Math.min(from, text.length()));
      for (Pattern p : List.of(WORKER_PORT, CONTROLLER_PORT)) {
        Matcher m = p.matcher(text);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("process exited with " + process.exitValue() + ": " + text);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no port in " + log + " after 120 s");
  }

  int port() {
    return port;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  long logBytes() {
    return log.toFile().length();
  }

  /** kill -9: no drain, no goodbye; every connection drops. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then the exit code (or -1 if it did not exit in time). */
  int terminate(long seconds) throws InterruptedException {
    process.destroy();
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** Resident set size in KiB, from /proc (0 where there is none). */
  long rssKib() {
    File status = new File("/proc/" + process.pid() + "/status");
    try {
      for (String line : Files.readAllLines(status.toPath())) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      signal("CONT");
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
