package io.kubecrawl.operator.items;

/** Uploaded items that are not one JSON object a line. */
public class InvalidItemsException extends RuntimeException {

    public InvalidItemsException(String message) {
        super(message);
    }
}
