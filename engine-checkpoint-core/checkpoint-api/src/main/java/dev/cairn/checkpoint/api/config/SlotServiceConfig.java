package dev.cairn.checkpoint.api.config;

/**
 * {@code seatunnel.engine.slot-service}.
 *
 * @param dynamicSlot whether a member runs as many tasks as are assigned to it (SeaTunnel's
 *     default) rather than a fixed number of slots
 * @param slotNum the fixed number of slots per member when {@code dynamicSlot} is false
 */
public record SlotServiceConfig(boolean dynamicSlot, int slotNum) {}
