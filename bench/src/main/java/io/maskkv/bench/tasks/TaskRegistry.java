package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every procedural task, by name, in the order {@code make-tasks --help} lists them: the five evaluated families,
 * then the training curriculum's one-, two- and three-hop variable tracking, then variable tracking answered with
 * the path to the value.
 */
public final class TaskRegistry {
  private static final Map<String, TaskGenerator> TASKS = new LinkedHashMap<>();

  static {
    for (TaskGenerator g : List.of(new NeedleTask(), new MultiKeyTask(), new MultiValueTask(),
        VariableTrackingTask.mixed(), new CountTask(), VariableTrackingTask.hops(1), VariableTrackingTask.hops(2),
        VariableTrackingTask.hops(3), VariableTrackingTask.path())) {
      TASKS.put(g.name(), g);
    }
  }

  private TaskRegistry() {}

  public static List<String> names() {
    return new ArrayList<>(TASKS.keySet());
  }

  public static Collection<TaskGenerator> all() {
    return List.copyOf(TASKS.values());
  }

  public static TaskGenerator get(String name) {
    TaskGenerator g = TASKS.get(name);
    if (g == null) {
      throw new IllegalArgumentException("unknown task '" + name + "'; known tasks: " + String.join(", ", names()));
    }
    return g;
  }
}
