import { Injectable } from '@nestjs/common';
import { TaskHandler } from 'nest-async-runner';

/** The Django runner's first example: one task per list item, each printing its item. */
@Injectable()
export class PrintItemHandler {
  @TaskHandler('items.print')
  print(payload: { item: string }): void {
    console.log(`print-item: ${payload.item}`);
  }
}
