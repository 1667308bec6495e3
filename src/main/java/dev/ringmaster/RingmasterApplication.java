package dev.ringmaster;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class RingmasterApplication {
  public static void main(String[] args) {
    SpringApplication.run(RingmasterApplication.class, args);
  }
}
