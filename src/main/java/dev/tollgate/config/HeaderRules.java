package dev.tollgate.config;

import java.util.List;
import java.util.Map;

/**
 * Header changes of one route in one direction, applied in the order remove, set, add.
 *
 * @param remove header names to drop
 * @param set headers whose values replace any the message had
 * @param add headers appended to any values the message had
 */
public record HeaderRules(List<String> remove, Map<String, String> set, Map<String, String> add) {
    public static final HeaderRules NONE = new HeaderRules(List.of(), Map.of(), Map.of());

    public HeaderRules {
        remove = List.copyOf(remove);
        set = Map.copyOf(set);
        add = Map.copyOf(add);
    }

    public boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }
}
